package com.wecomrpa.controller.customer;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.time.Instant;
import java.util.List;

/** Customers' tags as the console reads them. */
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
