package com.wecomrpa.controller.job;

import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.outbox.EventOutbox;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * What an operator does to jobs where they look: cancel one job, cancel what is left of a broadcast,
 * retry a failed job. Only a job still waiting is cancelled (QUEUED, or UNKNOWN: maybe sent, not yet
 * verified, and now never sent again); a leased or running one is already on a device and finishes
 * there. A retry gives a FAILED, UNKNOWN or CANCELLED job fresh attempts: QUEUED when every attempt
 * so far failed for certain, UNKNOWN (verified on the device before it sends) when one may have
 * sent. Each is audited with the state before and after.
 */
public final class JobInterventions {
  /** What cancelling a broadcast did: the jobs it ended, the ones left to finish on their device. */
  public record Cancelled(String broadcastId, int cancelled, List<String> finishing) {}

  private final Database db;
  private final AuditLog audit;

  public JobInterventions(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  public Job cancel(String jobId, Caller who, String reason, Instant now) {
    return db.inTransaction(c -> {
      Job j = JobRows.lock(c, jobId).orElseThrow(() -> Rejected.notFound("id", "job " + jobId + " not found"));
      if (j.state() != JobState.QUEUED && j.state() != JobState.UNKNOWN) {
        throw Rejected.conflict("state", "job " + jobId + " is " + j.state() + ": only a QUEUED or UNKNOWN job can be cancelled"
            + (j.state() == JobState.LEASED || j.state() == JobState.RUNNING ? " (it is on device " + j.deviceId() + " and finishes there)" : ""));
      }
      end(c, j, why(who, reason), now);
      audit.record(c, who, "job.cancel", "job:" + jobId, j.state().name(), JobState.CANCELLED.name(), reason, now);
      return JobRows.lock(c, jobId).orElseThrow();
    });
  }

  public Cancelled cancelBroadcast(String broadcastId, Caller who, String reason, Instant now) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE source_kind = 'broadcast' AND source_id = ?", broadcastId) == 0) {
        throw Rejected.notFound("id", "broadcast " + broadcastId + " not found");
      }
      List<String> waiting = Sql.list(c, "SELECT id FROM jobs WHERE source_kind = 'broadcast' AND source_id = ? AND state IN ('QUEUED', 'UNKNOWN') ORDER BY id",
          rs -> rs.getString(1), broadcastId);
      String why = why(who, reason);
      int cancelled = 0;
      for (String id : waiting) {
        Job j = JobRows.lock(c, id).orElseThrow();
        if (j.state() == JobState.QUEUED || j.state() == JobState.UNKNOWN) {
          end(c, j, why, now);
          cancelled++;
        }
      }
      List<String> finishing = Sql.list(c, "SELECT id FROM jobs WHERE source_kind = 'broadcast' AND source_id = ? AND state IN ('LEASED', 'RUNNING') ORDER BY id",
          rs -> rs.getString(1), broadcastId);
      audit.record(c, who, "broadcast.cancel", "broadcast:" + broadcastId, waiting.size() + " waiting",
          cancelled + " cancelled, " + finishing.size() + " finishing on their device", reason, now);
      return new Cancelled(broadcastId, cancelled, finishing);
    });
  }

  public Job retry(String jobId, Caller who, String reason, Instant now) {
    return db.inTransaction(c -> {
      Job j = JobRows.lock(c, jobId).orElseThrow(() -> Rejected.notFound("id", "job " + jobId + " not found"));
      if (j.state() != JobState.FAILED && j.state() != JobState.UNKNOWN && j.state() != JobState.CANCELLED) {
        throw Rejected.conflict("state", "job " + jobId + " is " + j.state() + ": only a FAILED, UNKNOWN or CANCELLED job can be retried");
      }
      if (j.expiresAt() != null && !j.expiresAt().isAfter(now)) {
        throw Rejected.conflict("expiresAt", "job " + jobId + "'s window closed at " + j.expiresAt() + "; a retry would send outside it (send it again as a new broadcast)");
      }
      if (j.groupId() != null && Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ? AND reachability = 'gone'", j.groupId()) > 0) {
        throw Rejected.conflict("groupId", "group " + j.groupId() + " was confirmed gone; retry the group first if it is back");
      }
      // An attempt that may have sent (no answer, or not a definite failure) is verified before
      // anything is sent again: the job comes back UNKNOWN. Only definite failures come back QUEUED.
      boolean maybeSent = Sql.count(c, "SELECT COUNT(*) FROM executions WHERE job_id = ? AND (outcome IS NULL OR outcome <> 'FAILED')", jobId) > 0;
      String next = (maybeSent ? JobState.UNKNOWN : JobState.QUEUED).name();
      Sql.update(c, "UPDATE jobs SET state = ?, attempts = 0, reason = ?, decided_by = NULL, wait_until = NULL, wait_note = NULL, updated_at = ? WHERE id = ?",
          next, JobRows.truncate("retried by " + who.name() + (reason == null ? "" : ": " + reason) + "; before: " + j.reason(), 1000), now.toEpochMilli(), jobId);
      audit.record(c, who, "job.retry", "job:" + jobId, j.state().name() + (j.reason() == null ? "" : ": " + j.reason()), next, reason, now);
      return JobRows.lock(c, jobId).orElseThrow();
    });
  }

  private static String why(Caller who, String reason) {
    return "cancelled by " + who.name() + (reason == null || reason.isBlank() ? "" : ": " + reason);
  }

  private static void end(Connection c, Job j, String why, Instant now) throws SQLException {
    Sql.update(c, "UPDATE jobs SET state = 'CANCELLED', reason = ?, wait_until = NULL, wait_note = NULL, updated_at = ? WHERE id = ?",
        JobRows.truncate(why, 1000), now.toEpochMilli(), j.id());
    EventOutbox.jobEnded(c, "job:" + j.id() + ":CANCELLED:" + j.leaseToken(), j.id(), j.action(), j.accountId(), j.groupId(), j.customerId(),
        j.deviceId(), JobState.CANCELLED.name(), why, now);
  }
}
