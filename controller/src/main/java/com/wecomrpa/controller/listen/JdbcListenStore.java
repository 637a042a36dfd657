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
        rs -> new ListenSettings(rs.getBoolean(1), rs.getInt(2), rs.getInt(3), rs.getBoolean(4), chats(rs.getString(5)), rs.getInt(6), rs.getInt(7)),
        accountId).orElse(ListenSettings.DEFAULTS);
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

  /** The last listens of an account's devices, newest first. */
  public List<Map<String, Object>> runs(String accountId, int limit) {
    return db.inTransaction(c -> Sql.list(c,
        "SELECT id, account_id, device_id, asked_at, started_at, finished_at, chats_read, lines_read, new_messages, error FROM listen_runs"
            + " WHERE account_id = ? ORDER BY asked_at DESC, id LIMIT " + limit,
        rs -> {
          Map<String, Object> m = new java.util.LinkedHashMap<>();
          m.put("id", rs.getString(1));
          m.put("accountId", rs.getString(2));
          m.put("deviceId", rs.getString(3));
          m.put("askedAt", Instant.ofEpochMilli(rs.getLong(4)).toString());
          Long started = Sql.nullableLong(rs, "started_at");
          Long finished = Sql.nullableLong(rs, "finished_at");
          m.put("startedAt", started == null ? null : Instant.ofEpochMilli(started).toString());
          m.put("finishedAt", finished == null ? null : Instant.ofEpochMilli(finished).toString());
          m.put("chatsRead", Sql.nullableLong(rs, "chats_read"));
          m.put("linesRead", Sql.nullableLong(rs, "lines_read"));
          m.put("newMessages", Sql.nullableLong(rs, "new_messages"));
          m.put("error", rs.getString(10));
          return m;
        }, accountId));
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
