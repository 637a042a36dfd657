package com.wecomrpa.controller.listen;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What listening stored, as the console and the API read it: pages of messages, counts of today. */
public final class ConversationQueries {
  /** One stored line of a chat. Times are ISO instants; null where nothing happened yet. */
  public record Message(long id, String accountId, String chat, String chatType, String groupId, String customerId, String sender, boolean mine,
      String kind, String text, String shownTime, String saidAt, String heardAt, String deviceId, String replyDueAt, String answeredAt,
      String lateAt) {}

  /** Messages newest first, and the id the next page starts below (null: no more). */
  public record Page(List<Message> messages, Long nextBefore) {}

  private final Database db;

  public ConversationQueries(Database db) {
    this.db = db;
  }

  public Page ofCustomer(String customerId, Long before, int limit) {
    return page("customer_id = ?", before, limit, customerId);
  }

  /** An account's messages, of one chat when {@code chat} is given. */
  public Page ofAccount(String accountId, String chat, Long before, int limit) {
    return chat == null ? page("account_id = ?", before, limit, accountId) : page("account_id = ? AND chat_name = ?", before, limit, accountId, chat);
  }

  /** Messages from customers heard since {@code since}. */
  public long fromCustomersSince(Instant since) {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM messages WHERE heard_at >= ? AND mine = FALSE AND kind <> 'system'", since.toEpochMilli()));
  }

  /** Customers found left waiting since {@code since}. */
  public long lateSince(Instant since) {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM messages WHERE late_at >= ?", since.toEpochMilli()));
  }

  private Page page(String where, Long before, int limit, Object... args) {
    List<Object> params = new ArrayList<>(List.of(args));
    String sql = "SELECT id, account_id, chat_name, chat_type, group_id, customer_id, sender, mine, kind, body, shown_time, said_at, heard_at, device_id,"
        + " reply_due_at, answered_at, late_at FROM messages WHERE " + where;
    if (before != null) {
      sql += " AND id < ?";
      params.add(before);
    }
    String query = sql + " ORDER BY id DESC LIMIT " + (limit + 1);
    List<Message> rows = db.inTransaction(c -> Sql.list(c, query, ConversationQueries::message, params.toArray()));
    boolean more = rows.size() > limit;
    List<Message> shown = more ? rows.subList(0, limit) : rows;
    return new Page(List.copyOf(shown), more ? shown.get(shown.size() - 1).id() : null);
  }

  private static Message message(ResultSet rs) throws SQLException {
    return new Message(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
        rs.getBoolean(8), rs.getString(9), rs.getString(10), rs.getString(11), Instant.ofEpochMilli(rs.getLong(12)).toString(),
        Instant.ofEpochMilli(rs.getLong(13)).toString(), rs.getString(14), at(Sql.nullableLong(rs, "reply_due_at")),
        at(Sql.nullableLong(rs, "answered_at")), at(Sql.nullableLong(rs, "late_at")));
  }

  private static String at(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }
}
