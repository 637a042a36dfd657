package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * What retention takes from jobs, a batch at a time (short transactions, no long lock): the
 * screenshots of attempts, the attempts of finished jobs, and the content of finished jobs. A job
 * still waiting or in flight keeps everything. Screenshot references go to the caller, to delete
 * once the batch commits.
 */
public final class JobRetention {
  private static final String FINAL = "('SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED')";
  static final String FORGOTTEN = "{\"erased\":\"retention\"}";

  private JobRetention() {}

  /** Screenshots of attempts that finished before {@code cutoff}: cleared from their attempts, each reference given to {@code gone}; returns how many. */
  public static int screenshotsBefore(Connection c, Instant cutoff, int batch, java.util.function.Consumer<String> gone) throws SQLException {
    List<Object[]> rows = Sql.list(c, "SELECT id, screenshot FROM executions WHERE screenshot IS NOT NULL AND finished_at < ? ORDER BY id LIMIT " + batch,
        rs -> new Object[] {rs.getLong(1), rs.getString(2)}, cutoff.toEpochMilli());
    for (Object[] r : rows) {
      Sql.update(c, "UPDATE executions SET screenshot = NULL WHERE id = ?", r[0]);
      gone.accept((String) r[1]);
    }
    return rows.size();
  }

  /** Attempts of finished jobs that ended before {@code cutoff}, their screenshots' references given to {@code gone}; returns how many. */
  public static int executionsBefore(Connection c, Instant cutoff, int batch, java.util.function.Consumer<String> gone) throws SQLException {
    List<Object[]> rows = Sql.list(c, "SELECT e.id, e.screenshot FROM executions e JOIN jobs j ON j.id = e.job_id WHERE j.state IN " + FINAL
        + " AND e.finished_at < ? ORDER BY e.id LIMIT " + batch, rs -> new Object[] {rs.getLong(1), rs.getString(2)}, cutoff.toEpochMilli());
    for (Object[] r : rows) {
      Sql.update(c, "DELETE FROM executions WHERE id = ?", r[0]);
      if (r[1] != null) {
        gone.accept((String) r[1]);
      }
    }
    return rows.size();
  }

  /** Content of finished jobs last changed before {@code cutoff}: the job stays (counts, states), its text goes. */
  public static int contentBefore(Connection c, Instant cutoff, int batch) throws SQLException {
    List<String> ids = Sql.list(c, "SELECT id FROM jobs WHERE state IN " + FINAL + " AND updated_at < ? AND params NOT LIKE '{\"erased\"%' ORDER BY updated_at LIMIT " + batch,
        rs -> rs.getString(1), cutoff.toEpochMilli());
    for (String id : ids) {
      Sql.update(c, "UPDATE jobs SET params = ? WHERE id = ?", FORGOTTEN, id);
    }
    return ids.size();
  }
}
