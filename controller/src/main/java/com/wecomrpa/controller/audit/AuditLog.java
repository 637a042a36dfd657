package com.wecomrpa.controller.audit;

import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Who changed what, when, from what to what, and why. Written in the same transaction as the
 * change it describes, so there is no change without its entry.
 */
public final class AuditLog {
  /** One change. {@code actor} is the token's name and id, never the token. */
  public record Entry(long id, Instant at, String actor, String action, String target, String oldValue, String newValue, String reason) {}

  private final Database db;

  public AuditLog(Database db) {
    this.db = db;
  }

  public void record(Connection c, Caller actor, String action, String target, String oldValue, String newValue, String reason, Instant now)
      throws SQLException {
    Sql.update(c, "INSERT INTO audit_log (at, actor, action, target, old_value, new_value, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        now.toEpochMilli(), actor.name() + " (" + actor.tokenId() + ")", action, target, oldValue, newValue, reason);
  }

  /** One change that has no transaction of its own to share (an action on a live device). */
  public void record(Caller actor, String action, String target, String oldValue, String newValue, String reason, Instant now) {
    db.inTransaction(c -> {
      record(c, actor, action, target, oldValue, newValue, reason, now);
      return null;
    });
  }

  public List<Entry> list(int limit) {
    return db.inTransaction(
        c -> Sql.list(c, "SELECT id, at, actor, action, target, old_value, new_value, reason FROM audit_log ORDER BY id DESC LIMIT " + limit,
            rs -> new Entry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8))));
  }

  /** Retention: up to {@code batch} entries written before {@code cutoff}, oldest first; returns how many went. */
  public static int forgetBefore(java.sql.Connection c, java.time.Instant cutoff, int batch) throws java.sql.SQLException {
    return com.wecomrpa.controller.store.Sql.update(c, "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY id LIMIT " + batch + ")", cutoff.toEpochMilli());
  }
}
