package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Jobs of a store restored from a backup: every one the backup believed due and not finished may
 * have been sent after the backup was taken, so its device looks for the message first
 * (verify-then-send, since the backup) and sends only if it is not there. The job keeps its state
 * and goes through every rule and quota as before.
 */
public final class RestoredJobs {
  private RestoredJobs() {}

  /** Marks them; returns how many. */
  public static int verifyBeforeSending(Connection c, Instant backupTakenAt, Instant now) throws SQLException {
    // A minute of slack for the client's clock against the controller's.
    long since = backupTakenAt.minusSeconds(60).toEpochMilli();
    return Sql.update(c, "UPDATE jobs SET verify_since = ?, reason = ?, updated_at = ? WHERE state IN ('QUEUED', 'LEASED', 'RUNNING') AND due_at <= ?",
        since, JobRows.truncate("restored from a backup taken at " + backupTakenAt + ": looked for on the device before it is sent", 1000),
        now.toEpochMilli(), now.toEpochMilli());
  }
}
