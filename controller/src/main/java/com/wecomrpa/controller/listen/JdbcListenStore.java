package com.wecomrpa.controller.listen;

import com.fasterxml.jackson.core.type.TypeReference;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Accounts' listen settings (audited when changed) and the record of every listen a device ran. */
public final class JdbcListenStore {
  private final Database db;
  private final AuditLog audit;

  public JdbcListenStore(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  public ListenSettings settings(String accountId) {
    return db.inTransaction(c -> settings(c, accountId));
  }

  static ListenSettings settings(Connection c, String accountId) throws SQLException {
    return Sql.one(c, "SELECT enabled, interval_secs, budget_secs, unread, chats, per_chat, max_chats FROM listen_settings WHERE account_id = ?",
        rs -> read(rs, 1), accountId).orElse(ListenSettings.DEFAULTS);
  }

  /** The settings in the seven columns from {@code first} on (enabled ... max_chats). */
  private static ListenSettings read(java.sql.ResultSet rs, int first) throws SQLException {
    return new ListenSettings(rs.getBoolean(first), rs.getInt(first + 1), rs.getInt(first + 2), rs.getBoolean(first + 3), chats(rs.getString(first + 4)),
        rs.getInt(first + 5), rs.getInt(first + 6));
  }

  /** Every account's stored settings (an account without a row listens by the defaults), in one read. */
  public java.util.Map<String, ListenSettings> all() {
    return db.inTransaction(c -> {
      java.util.Map<String, ListenSettings> out = new java.util.HashMap<>();
      Sql.list(c, "SELECT account_id, enabled, interval_secs, budget_secs, unread, chats, per_chat, max_chats FROM listen_settings",
              rs -> java.util.Map.entry(rs.getString(1), read(rs, 2)))
          .forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    });
  }

  /** Replaces an account's settings; the change is audited with its old and new value. */
  public ListenSettings put(String accountId, ListenSettings s, Caller who, String reason, Instant now) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", accountId) == 0) {
        throw Rejected.notFound("id", "account " + accountId + " not found");
      }
      ListenSettings old = settings(c, accountId);
      Sql.update(c, "DELETE FROM listen_settings WHERE account_id = ?", accountId);
      Sql.update(c, "INSERT INTO listen_settings (account_id, enabled, interval_secs, budget_secs, unread, chats, per_chat, max_chats, updated_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          accountId, s.enabled(), s.intervalSeconds(), s.budgetSeconds(), s.unread(), write(s.chats()), s.perChat(), s.maxChats(), now.toEpochMilli());
      audit.record(c, who, "listening.set", accountId, write(old), write(s), reason, now);
      return s;
    });
  }

  /** A listen asked of a device: recorded before it is sent, so one never answered still shows. */
  public void asked(String listenId, String accountId, String deviceId, Instant at) {
    db.inTransaction(c -> Sql.update(c, "INSERT INTO listen_runs (id, account_id, device_id, asked_at) VALUES (?, ?, ?, ?)",
        listenId, accountId, deviceId, at.toEpochMilli()));
  }

  /** One listen of a device: asked, started and finished (ISO instants, null until then), what it read. */
  public record Run(String id, String accountId, String deviceId, String askedAt, String startedAt, String finishedAt, Long chatsRead, Long linesRead,
      Long newMessages, String error) {}

  /** The last listens of an account's devices, newest first. */
  public List<Run> runs(String accountId, int limit) {
    return db.inTransaction(c -> Sql.list(c,
        "SELECT id, account_id, device_id, asked_at, started_at, finished_at, chats_read, lines_read, new_messages, error FROM listen_runs"
            + " WHERE account_id = ? ORDER BY asked_at DESC, id LIMIT " + limit,
        rs -> new Run(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)).toString(), at(Sql.nullableLong(rs, "started_at")),
            at(Sql.nullableLong(rs, "finished_at")), Sql.nullableLong(rs, "chats_read"), Sql.nullableLong(rs, "lines_read"), Sql.nullableLong(rs, "new_messages"),
            rs.getString(10)),
        accountId));
  }

  private static String at(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }

  public Optional<ListenSettings> find(String accountId) {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", accountId) == 0 ? Optional.empty() : Optional.of(settings(c, accountId)));
  }

  static List<String> chats(String json) {
    try {
      return WireCodec.mapper().readValue(json, new TypeReference<List<String>>() {});
    } catch (Exception e) {
      return List.of();
    }
  }

  static String write(Object o) {
    try {
      return WireCodec.mapper().writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
