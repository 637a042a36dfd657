package com.wecomrpa.controller.risk;

import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Alerts raised for ops, newest first: an account that showed a risk state, a group the client
 * could not find, a device in trouble. An operator acknowledges one (someone is on it) and
 * resolves it; an alert about a group resolves itself when the group is fixed (renamed, retried,
 * confirmed gone), naming what fixed it.
 */
public final class JdbcAlertStore {
  /** One alert; {@code state} is open, acknowledged or resolved. */
  public record Alert(long id, Instant at, String accountId, String kind, String subject, String detail, String jobId, String state,
      String acknowledgedBy, Instant acknowledgedAt, String acknowledgeNote, String resolvedBy, Instant resolvedAt, String resolveNote) {}

  /** What an alert is about: {@code group:ID}, {@code device:ID} or {@code account:ID}. */
  public static String subject(String kind, String id) {
    return kind + ":" + id;
  }

  private static final String COLUMNS = "id, at, account_id, kind, subject, detail, job_id, acked_by, acked_at, ack_note, resolved_by, resolved_at, resolve_note";

  private final Database db;
  private final AuditLog audit;

  public JdbcAlertStore(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  public void raise(String accountId, String kind, String detail, String jobId, Instant now) {
    raise(accountId, kind, null, detail, jobId, now);
  }

  public void raise(String accountId, String kind, String subject, String detail, String jobId, Instant now) {
    db.inTransaction(c -> {
      insert(c, accountId, kind, subject, detail, jobId, now);
      return null;
    });
  }

  /** Stores an alert and hands it to the event webhooks, in the caller's transaction. */
  public static void insert(Connection c, String accountId, String kind, String detail, String jobId, Instant now) throws SQLException {
    insert(c, accountId, kind, null, detail, jobId, now);
  }

  /** Stores an alert about {@code subject} and hands it to the event webhooks, in the caller's transaction. */
  public static void insert(Connection c, String accountId, String kind, String subject, String detail, String jobId, Instant now) throws SQLException {
    String text = detail.length() > 1000 ? detail.substring(0, 1000) : detail;
    Sql.update(c, "INSERT INTO alerts (at, account_id, kind, subject, detail, job_id) VALUES (?, ?, ?, ?, ?, ?)",
        now.toEpochMilli(), accountId, kind, subject, text, jobId);
    java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("accountId", accountId);
    data.put("kind", kind);
    data.put("subject", subject);
    data.put("detail", text);
    data.put("jobId", jobId);
    com.wecomrpa.controller.outbox.EventOutbox.add(c, "alert", "alert:" + accountId + ":" + kind + ":" + now.toEpochMilli() + ":" + (jobId == null ? "" : jobId), data, now);
  }

  /**
   * The cause of every unresolved alert about {@code subject} is gone: resolved by {@code by} (a
   * person, or what fixed it), in the caller's transaction.
   */
  public static int resolveAbout(Connection c, String subject, String by, String note, Instant now) throws SQLException {
    return Sql.update(c, "UPDATE alerts SET resolved_by = ?, resolved_at = ?, resolve_note = ? WHERE subject = ? AND resolved_at IS NULL",
        by, now.toEpochMilli(), truncate(note), subject);
  }

  /** As {@link #resolveAbout(Connection, String, String, String, Instant)}, in a transaction of its own. */
  public int resolveAbout(String subject, String by, String note, Instant now) {
    return db.inTransaction(c -> resolveAbout(c, subject, by, note, now));
  }

  /** Someone is on it: the alert stays until resolved, marked with who and when. */
  public Alert acknowledge(Caller who, long id, String note, Instant now) {
    return mark(who, id, note, now, "acked_by = ?, acked_at = ?, ack_note = ?", "alert.acknowledge", "acknowledged");
  }

  /** Done with it, whatever the cause was; the note says what was done. */
  public Alert resolve(Caller who, long id, String note, Instant now) {
    return mark(who, id, note, now, "resolved_by = ?, resolved_at = ?, resolve_note = ?", "alert.resolve", "resolved");
  }

  private Alert mark(Caller who, long id, String note, Instant now, String set, String action, String after) {
    return db.inTransaction(c -> {
      Alert before = find(c, id);
      if (before.resolvedAt() != null) {
        throw Rejected.conflict("id", "alert " + id + " was resolved already, by " + before.resolvedBy());
      }
      Sql.update(c, "UPDATE alerts SET " + set + " WHERE id = ?", who.name(), now.toEpochMilli(), truncate(note), id);
      audit.record(c, who, action, "alert " + id + " (" + before.kind() + ")", before.state(), after, note, now);
      return find(c, id);
    });
  }

  /** The newest alerts; {@code state} (open, acknowledged, resolved, or null for all) narrows them. */
  public List<Alert> list(int limit, String state) {
    String where = switch (state == null ? "" : state) {
      case "" -> "";
      case "open" -> " WHERE resolved_at IS NULL AND acked_at IS NULL";
      case "acknowledged" -> " WHERE resolved_at IS NULL AND acked_at IS NOT NULL";
      case "unresolved" -> " WHERE resolved_at IS NULL";
      case "resolved" -> " WHERE resolved_at IS NOT NULL";
      default -> throw Rejected.invalid("state", "state must be open, acknowledged, unresolved or resolved, not '" + state + "'");
    };
    return db.inTransaction(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM alerts" + where + " ORDER BY id DESC LIMIT " + limit, JdbcAlertStore::row));
  }

  public List<Alert> list(int limit) {
    return list(limit, null);
  }

  /** Alerts raised since {@code since}. */
  public long countSince(Instant since) {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM alerts WHERE at >= ?", since.toEpochMilli()));
  }

  /** Alerts nobody has resolved yet. */
  public long countUnresolved() {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM alerts WHERE resolved_at IS NULL"));
  }

  private static Alert find(Connection c, long id) throws SQLException {
    return Sql.one(c, "SELECT " + COLUMNS + " FROM alerts WHERE id = ?", JdbcAlertStore::row, id)
        .orElseThrow(() -> Rejected.notFound("id", "alert " + id + " not found"));
  }

  private static Alert row(ResultSet rs) throws SQLException {
    Long ackedAt = Sql.nullableLong(rs, "acked_at");
    Long resolvedAt = Sql.nullableLong(rs, "resolved_at");
    String state = resolvedAt != null ? "resolved" : ackedAt != null ? "acknowledged" : "open";
    return new Alert(rs.getLong("id"), Instant.ofEpochMilli(rs.getLong("at")), rs.getString("account_id"), rs.getString("kind"), rs.getString("subject"),
        rs.getString("detail"), rs.getString("job_id"), state, rs.getString("acked_by"), ackedAt == null ? null : Instant.ofEpochMilli(ackedAt),
        rs.getString("ack_note"), rs.getString("resolved_by"), resolvedAt == null ? null : Instant.ofEpochMilli(resolvedAt), rs.getString("resolve_note"));
  }

  private static String truncate(String note) {
    return note == null || note.length() <= 500 ? note : note.substring(0, 500);
  }
}
