package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Leases and windows that run out: a lease neither renewed nor reported ends (unstarted: back to
 * the queue, its post given back; started: UNKNOWN, it may have sent), a lease handed back ends as
 * if unstarted, and queued jobs past their window end SKIPPED {@code expired}.
 */
public final class LeaseExpiry {
  private final Database db;
  private final Reservations reservations;

  LeaseExpiry(Database db, Reservations reservations) {
    this.db = db;
    this.reservations = reservations;
  }

  /** Queued jobs past their window end SKIPPED {@code expired}, even where no device asks for them. */
  public int expireWindows(Instant now) {
    return db.inTransaction(
        c ->
            Sql.update(
                c,
                // A lower bound, not IS NOT NULL: the embedded store starts its index range there and so
                // skips the jobs without a window; IS NOT NULL walked all of them (a 200,000-group
                // broadcast being stored: 29 ms a call, four calls a second).
                "UPDATE jobs SET state = 'SKIPPED', reason = 'expired', updated_at = ? WHERE state = 'QUEUED' AND expires_at >= 0 AND expires_at < ?",
                now.toEpochMilli(),
                now.toEpochMilli()));
  }

  /**
   * Ends every lease past its expiry: a job that never started goes back to the queue (and its
   * quota back to the group); one that started may have sent and becomes UNKNOWN.
   */
  public List<ExpiredLease> expireLeases(Instant now) {
    return db.inTransaction(
        c -> {
          List<Job> expired =
              Sql.list(
                  c,
                  "SELECT " + JobRows.JOB_COLUMNS + " FROM jobs WHERE state IN ('LEASED', 'RUNNING') AND lease_expires_at < ?",
                  JobRows::job,
                  now.toEpochMilli());
          List<ExpiredLease> out = new ArrayList<>();
          for (Job j : expired) {
            out.add(endLease(c, j, now, "lease expired"));
          }
          return out;
        });
  }

  /** Gives back a lease whose offer never reached the device, as if it had expired unstarted. */
  public Optional<ExpiredLease> returnLease(String jobId, long token, Instant now, String why) {
    return endHeld(jobId, token, now, why, "'LEASED'");
  }

  /**
   * Ends a lease an operator judged stuck, as if it had run out: unstarted back to the queue,
   * started UNKNOWN (it may have sent). Empty if that lease is no longer held.
   */
  public Optional<ExpiredLease> releaseLease(String jobId, long token, Instant now, String why) {
    return endHeld(jobId, token, now, why, "'LEASED', 'RUNNING'");
  }

  private Optional<ExpiredLease> endHeld(String jobId, long token, Instant now, String why, String states) {
    return db.inTransaction(
        c -> {
          Optional<Job> j =
              Sql.one(c, "SELECT " + JobRows.JOB_COLUMNS + " FROM jobs WHERE id = ? AND lease_token = ? AND state IN (" + states + ")",
                  JobRows::job, jobId, token);
          return j.isEmpty() ? Optional.<ExpiredLease>empty() : Optional.of(endLease(c, j.get(), now, why));
        });
  }

  private ExpiredLease endLease(Connection c, Job j, Instant now, String why) throws SQLException {
    JobState next;
    String reason;
    if (j.state() == JobState.LEASED) {
      reservations.release(c, j.id());
      next = JobState.QUEUED;
      reason = why + " before the job started; re-queued";
    } else {
      next = JobState.UNKNOWN;
      reason = why + " while running: the message may have been sent";
    }
    Sql.update(
        c,
        "UPDATE jobs SET state = ?, reason = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ?",
        next.name(), reason, now.toEpochMilli(), j.id(), j.leaseToken());
    Sql.update(
        c,
        "UPDATE executions SET outcome = 'LEASE_EXPIRED', error = ?, finished_at = ? WHERE job_id = ? AND lease_token = ? AND outcome IS NULL",
        reason, now.toEpochMilli(), j.id(), j.leaseToken());
    return new ExpiredLease(j.id(), j.leaseToken(), j.deviceId(), next);
  }

}
