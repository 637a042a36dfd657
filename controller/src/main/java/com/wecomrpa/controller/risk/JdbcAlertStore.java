package com.wecomrpa.controller.risk;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.time.Instant;
import java.util.List;

/** Alerts raised for ops, newest first: an account that showed a risk state, and what was done. */
public final class JdbcAlertStore {
  /** One alert. */
  public record Alert(long id, Instant at, String accountId, String kind, String detail, String jobId) {}

  private final Database db;

  public JdbcAlertStore(Database db) {
    this.db = db;
  }

  public void raise(String accountId, String kind, String detail, String jobId, Instant now) {
    db.inTransaction(c -> {
      insert(c, accountId, kind, detail.length() > 1000 ? detail.substring(0, 1000) : detail, jobId, now);
      return null;
    });
  }

  /** Stores an alert and hands it to the event webhooks, in the caller's transaction. */
  public static void insert(java.sql.Connection c, String accountId, String kind, String detail, String jobId, Instant now) throws java.sql.SQLException {
    Sql.update(c, "INSERT INTO alerts (at, account_id, kind, detail, job_id) VALUES (?, ?, ?, ?, ?)", now.toEpochMilli(), accountId, kind, detail, jobId);
    java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("accountId", accountId);
    data.put("kind", kind);
    data.put("detail", detail);
    data.put("jobId", jobId);
    com.wecomrpa.controller.outbox.EventOutbox.add(c, "alert", "alert:" + accountId + ":" + kind + ":" + now.toEpochMilli() + ":" + (jobId == null ? "" : jobId), data, now);
  }

  public List<Alert> list(int limit) {
    return db.inTransaction(
        c -> Sql.list(c, "SELECT id, at, account_id, kind, detail, job_id FROM alerts ORDER BY id DESC LIMIT " + limit,
            rs -> new Alert(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6))));
  }

  /** Alerts raised since {@code since}. */
  public long countSince(Instant since) {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM alerts WHERE at >= ?", since.toEpochMilli()));
  }
}
