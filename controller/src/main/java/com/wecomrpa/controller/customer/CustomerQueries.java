package com.wecomrpa.controller.customer;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.time.Instant;
import java.util.List;

/** Customers and their tags as the console reads them. */
public final class CustomerQueries {
  /** One tag put on or taken off, by what (a keyword rule's id, or {@code channel:CODE}). */
  public record TagChange(String tag, String change, String ruleId, Long messageId, String at) {}

  /** A customer's tags now, and the last 100 changes, newest first. */
  public record Tags(String customerId, List<String> tags, List<TagChange> changes) {}

  private final Database db;

  public CustomerQueries(Database db) {
    this.db = db;
  }

  public Tags tagsOf(String customerId) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM customers WHERE id = ?", customerId) == 0) {
        throw Rejected.notFound("id", "customer " + customerId + " not found");
      }
      return new Tags(customerId,
          Sql.list(c, "SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", rs -> rs.getString(1), customerId),
          Sql.list(c, "SELECT tag, change, rule_id, message_id, at FROM tag_changes WHERE customer_id = ? ORDER BY id DESC LIMIT 100",
              rs -> new TagChange(rs.getString(1), rs.getString(2), rs.getString(3), Sql.nullableLong(rs, "message_id"),
                  Instant.ofEpochMilli(rs.getLong(5)).toString()), customerId));
    });
  }

  /** Which customers a list shows: each filter left null matches all; {@code text} looks in the name and id. */
  public record Filter(String text, String tag, String stage, String accountId, String channelCode, String status) {}

  /** One customer in a list. */
  public record Row(String id, String nickname, String accountId, String stage, String status, String channelCode, List<String> tags, String addedAt) {}

  /** A page of customers, newest added first, and how many match in all. */
  public record Page(long total, int offset, List<Row> items) {}

  public Page search(Filter f, int limit, int offset) {
    StringBuilder where = new StringBuilder(" WHERE 1 = 1");
    List<Object> args = new java.util.ArrayList<>();
    if (f.text() != null && !f.text().isBlank()) {
      where.append(" AND (LOWER(u.nickname) LIKE ? OR LOWER(u.id) LIKE ?)");
      String like = "%" + f.text().trim().toLowerCase(java.util.Locale.ROOT).replace("%", "").replace("_", "") + "%";
      args.add(like);
      args.add(like);
    }
    if (f.tag() != null) {
      where.append(" AND EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = u.id AND t.tag = ?)");
      args.add(f.tag());
    }
    if (f.stage() != null) {
      where.append(" AND u.stage = ?");
      args.add(f.stage());
    }
    if (f.accountId() != null) {
      where.append(" AND u.account_id = ?");
      args.add(f.accountId());
    }
    if (f.channelCode() != null) {
      where.append(" AND u.channel_code = ?");
      args.add(f.channelCode());
    }
    if (f.status() != null) {
      where.append(" AND u.status = ?");
      args.add(f.status());
    }
    return db.inTransaction(c -> {
      long total = Sql.count(c, "SELECT COUNT(*) FROM customers u" + where, args.toArray());
      List<Object> paged = new java.util.ArrayList<>(args);
      paged.add(limit);
      paged.add(offset);
      List<Row> rows = Sql.list(c, "SELECT u.id, u.nickname, u.account_id, u.stage, u.status, u.channel_code, COALESCE(u.added_at, u.created_at) FROM customers u" + where
          + " ORDER BY COALESCE(u.added_at, u.created_at) DESC, u.id LIMIT ? OFFSET ?",
          rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), List.of(),
              Instant.ofEpochMilli(rs.getLong(7)).toString()), paged.toArray());
      List<Row> withTags = new java.util.ArrayList<>();
      for (Row r : rows) {
        withTags.add(new Row(r.id(), r.nickname(), r.accountId(), r.stage(), r.status(), r.channelCode(),
            Sql.list(c, "SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", rs -> rs.getString(1), r.id()), r.addedAt()));
      }
      return new Page(total, offset, withTags);
    });
  }

  /** Tags added to any customer since {@code since}. */
  public long tagsAddedSince(Instant since) {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM tag_changes WHERE at >= ? AND change = 'added'", since.toEpochMilli()));
  }

  /** Active customers per stage ({@code (none)} for those without one yet), for one account or all. */
  public java.util.Map<String, Long> census(String accountId) {
    return db.inTransaction(c -> {
      java.util.Map<String, Long> m = new java.util.TreeMap<>();
      for (Object[] r : Sql.list(c, "SELECT COALESCE(stage, '(none)'), COUNT(*) FROM customers WHERE status = 'active'" + (accountId == null ? "" : " AND account_id = ?")
          + " GROUP BY COALESCE(stage, '(none)')", rs -> new Object[] {rs.getString(1), rs.getLong(2)}, accountId == null ? new Object[0] : new Object[] {accountId})) {
        m.put((String) r[0], (Long) r[1]);
      }
      return m;
    });
  }
}
