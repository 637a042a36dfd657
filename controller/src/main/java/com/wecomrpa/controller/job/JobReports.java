package com.wecomrpa.controller.job;

import com.wecomrpa.controller.outbox.EventOutbox;

import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.controller.risk.RiskResponse;
import com.wecomrpa.protocol.HeldLease;
import com.wecomrpa.protocol.Outcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What agents say about their leases, applied under fencing tokens: a start, a renewal, a report
 * (the state machine of an attempt's end), and what a reconnecting agent holds. A lease the store
 * never granted is adopted, never granted again ({@link LostLeases}).
 */
public final class JobReports {
  private final Database db;
  private final JdbcLimitStore limits;
  private final Reservations reservations;
  private final LostLeases lostLeases;

  JobReports(Database db, JdbcLimitStore limits, Reservations reservations, LostLeases lostLeases) {
    this.db = db;
    this.limits = limits;
    this.reservations = reservations;
    this.lostLeases = lostLeases;
    this.successes = new SuccessesTogether(db, JobReports::settleSuccess);
  }

  private final SuccessesTogether successes;

  SuccessesTogether successes() {
    return successes;
  }

  /**
   * The device began: LEASED → RUNNING, if the lease is still this one. A start under a lease this
   * store never granted (lost with a crash) is adopted: the job is running there, whatever the
   * store remembered.
   */
  public boolean markStarted(String jobId, long token, String agentId, String deviceId, Instant now, Instant businessNow, Duration leaseFor) {
    return db.inTransaction(
        c -> {
          int n =
              Sql.update(
                  c,
                  "UPDATE jobs SET state = 'RUNNING', updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'LEASED'",
                  now.toEpochMilli(), jobId, token);
          if (n == 1) {
            Sql.update(c, "UPDATE executions SET started_at = ? WHERE job_id = ? AND lease_token = ?", now.toEpochMilli(), jobId, token);
            return true;
          }
          Optional<Job> job = JobRows.lock(c, jobId);
          return job.isPresent()
              && lostLeases.adopt(c, job.get(), token, agentId, deviceId, JobState.RUNNING, "started", now, businessNow, leaseFor).isPresent();
        });
  }

  /**
   * Settles what a (re)connecting agent holds before its devices get offers: its current leases
   * are renewed, and leases this store has no record of are adopted as RUNNING (their reports
   * follow), so a job the agent may have sent is never granted afresh. Returns the leases that
   * stand: those devices stay busy with them.
   */
  public List<HeldLease> reconcile(String agentId, List<HeldLease> held, Instant now, Instant businessNow, Duration leaseFor) {
    return db.inTransaction(
        c -> {
          List<HeldLease> standing = new ArrayList<>();
          for (HeldLease h : held) {
            Optional<Job> job = JobRows.lock(c, h.jobId());
            if (job.isEmpty()) {
              continue;
            }
            Job j = job.get();
            if (j.leaseToken() == h.fencingToken() && (j.state() == JobState.LEASED || j.state() == JobState.RUNNING)) {
              Sql.update(c, "UPDATE jobs SET state = 'RUNNING', lease_expires_at = ?, updated_at = ? WHERE id = ?",
                  now.plus(leaseFor).toEpochMilli(), now.toEpochMilli(), j.id());
              Sql.update(c, "UPDATE executions SET started_at = COALESCE(started_at, ?) WHERE job_id = ? AND lease_token = ?",
                  now.toEpochMilli(), j.id(), h.fencingToken());
              standing.add(h);
            } else if (lostLeases.adopt(c, j, h.fencingToken(), agentId, h.deviceId(), JobState.RUNNING,
                "held by the agent on reconnect (" + h.phase().name().toLowerCase() + (h.outcome() == null ? "" : " " + h.outcome()) + ")",
                now, businessNow, leaseFor).isPresent()) {
              standing.add(h);
            }
          }
          return standing;
        });
  }

  /** Extends a live lease; false if the lease is no longer the job's current one. */
  public boolean renew(String jobId, long token, Instant now, Duration leaseFor) {
    return db.inTransaction(
        c ->
            Sql.update(
                    c,
                    "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_token = ? AND state IN ('LEASED', 'RUNNING')",
                    now.plus(leaseFor).toEpochMilli(), jobId, token)
                == 1);
  }

  /**
   * Applies an agent's report under its fencing token. A definite failure gives the quota back and
   * re-queues the job while attempts remain; a success or a may-have-sent keeps the quota used.
   */
  public ReportVerdict applyReport(String agentId, AgentJobReport r, String screenshotPath, Instant now, Instant businessNow, int maxAttempts) {
    boolean postgres = db.dialect() == com.wecomrpa.controller.store.Dialect.POSTGRESQL;
    if (postgres && plainSuccess(r)) {
      Optional<ReportVerdict> settled = successes.settle(r, screenshotPath, now);
      if (settled.isPresent()) {
        return settled.get();
      }
      // Not the job's current lease (a duplicate, a late or a lost one), or someone subscribes to
      // its end: nothing changed, the full path decides.
    }
    return db.inTransaction(
        c -> {
          // Lock the job first: a duplicate of a report being applied right now waits here, then
          // finds that report's id on the execution and is acknowledged without a second change.
          Optional<Job> job = JobRows.lock(c, r.jobId());
          if (job.isEmpty()) {
            return ReportVerdict.stale("unknown job " + r.jobId());
          }
          Job j = job.get();
          // Applying a report moves the job out of its lease: a job still leased or running under
          // this token has none applied, so only a job that is not is asked for its report id.
          boolean current = j.leaseToken() == r.fencingToken() && (j.state() == JobState.LEASED || j.state() == JobState.RUNNING);
          String appliedReport = current ? null
              : Sql.one(c, "SELECT report_id FROM executions WHERE job_id = ? AND lease_token = ?", rs -> rs.getString(1), r.jobId(), r.fencingToken()).orElse(null);
          if (r.reportId().equals(appliedReport)) {
            return ReportVerdict.duplicate(j.state());
          }
          // The success of the very lease whose running out made the job UNKNOWN, and nothing has
          // been offered since: the device saw the message settle, which is all a verify would look
          // for. Applied as a current report, so the device is not sent to look and no attempt is spent.
          boolean lateSuccess = j.leaseToken() == r.fencingToken() && j.state() == JobState.UNKNOWN && r.outcome() == Outcome.SUCCEEDED
              && r.riskSignal() == null
              && Sql.count(c, "SELECT COUNT(*) FROM executions WHERE job_id = ? AND lease_token = ? AND outcome = 'LEASE_EXPIRED'", j.id(), r.fencingToken()) > 0;
          if (!lateSuccess && (j.leaseToken() != r.fencingToken()
              || (j.state() != JobState.LEASED && j.state() != JobState.RUNNING))) {
            // A report under a lease this store never granted (lost with a crash): the job may
            // have been sent, so it is verified before anything is sent again.
            Optional<JobState> adopted = r.outcome() != Outcome.FAILED
                ? lostLeases.adopt(c, j, r.fencingToken(), agentId, r.deviceId(), JobState.UNKNOWN,
                    "reported " + r.outcome(), now, businessNow, Duration.ZERO)
                : Optional.empty();
            if (adopted.isPresent()) {
              recordExecution(c, r, screenshotPath, now, j.id());
              return ReportVerdict.applied(JobState.UNKNOWN, j.accountId(), null);
            }
            return ReportVerdict.stale(
                "lease " + r.fencingToken() + " is not current: job is " + j.state() + " under lease " + j.leaseToken());
          }
          JobState next;
          String reason;
          String accountStatus = null;
          boolean targetHeld = false;
          if (r.riskSignal() != null) {
            Duration cooldown = Duration.ofMinutes(limits.effective(c, j.accountId(), businessNow).number(LimitName.COOLDOWN_MINUTES));
            accountStatus = RiskResponse.apply(c, j.accountId(), j.id(), r.riskSignal(), cooldown, businessNow);
          }
          if (r.riskSignal() != null && r.outcome() == Outcome.FAILED) {
            // Nothing went out; the job waits for the account without spending an attempt.
            next = requeueWithoutAttempt(c, j.id());
            reason = "risk:" + r.riskSignal() + ": account " + accountStatus + "; waits for the account";
          } else if ((r.targetMissing() || r.targetGone()) && movedAway(c, j)) {
            // Handed over while the device looked for it: not the target's fault nor the device's;
            // the job follows its target to the account that holds it now.
            next = requeueWithoutAttempt(c, j.id());
            reason = "target moved to another account while this device looked for it (a handover): follows it; " + JobRows.describe(r);
          } else if (r.targetMissing() && j.groupId() != null) {
            // The group is not where the controller thinks: hold its jobs, keep the device going.
            next = requeueWithoutAttempt(c, j.id());
            reason = "held: group " + j.groupId() + " unreachable: " + JobRows.describe(r);
            targetHeld = true;
          } else if (r.targetGone()) {
            // The member left, the request went: nothing to do, so nothing to retry or blame.
            reservations.release(c, j.id());
            next = JobState.SKIPPED;
            reason = JobRows.describe(r);
          } else if (r.contentRefused()) {
            // Nothing went out and the same content would be refused again: ends now, quota back.
            reservations.release(c, j.id());
            next = JobState.FAILED;
            reason = "content refused: " + JobRows.describe(r) + "; change the content, or retry once the platform takes it";
          } else if (r.deviceFault()) {
            next = requeueWithoutAttempt(c, j.id());
            reason = "device fault, attempt not counted: " + JobRows.describe(r);
          } else switch (r.outcome()) {
            case SUCCEEDED -> {
              next = JobState.SUCCEEDED;
              reason = lateSuccess ? "reported SUCCEEDED after its lease had run out: " + JobRows.describe(r) : null;
            }
            case UNKNOWN -> {
              next = JobState.UNKNOWN;
              reason = "may have sent: " + JobRows.describe(r);
            }
            default -> {
              reservations.release(c, j.id());
              next = j.attempts() < maxAttempts ? JobState.QUEUED : JobState.FAILED;
              reason = (next == JobState.QUEUED ? "retrying after: " : "") + JobRows.describe(r);
            }
          }
          String settle = "UPDATE jobs SET state = ?, reason = ?, decided_by = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ?";
          Object[] settleArgs = {next.name(), JobRows.truncate(reason, 1000), targetHeld ? Reachability.HOLDS : null, now.toEpochMilli(), j.id()};
          if (postgres) {
            // The job's end and its execution's in one statement: one round trip less a report.
            Sql.update(c, "WITH ran AS (" + RECORD_EXECUTION + ") " + settle, concat(executionArgs(r, screenshotPath, now, j.id()), settleArgs));
          } else {
            Sql.update(c, settle, settleArgs);
            recordExecution(c, r, screenshotPath, now, j.id());
          }
          if (next == JobState.QUEUED) {
            JobTransitions.followTarget(c, j.id());
          }
          if (next == JobState.SUCCEEDED || next == JobState.FAILED || next == JobState.UNKNOWN || next == JobState.SKIPPED) {
            EventOutbox.jobEnded(c, "job:" + j.id() + ":" + next.name() + ":" + r.fencingToken(), j.id(), j.action(), j.accountId(), j.groupId(), j.customerId(),
                r.deviceId(), next.name(), reason, businessNow);
          }
          if (targetHeld) {
            long execution = Sql.count(c, "SELECT id FROM executions WHERE job_id = ? AND lease_token = ?", j.id(), r.fencingToken());
            Reachability.markUnreachable(c, j.groupId(), j.id(), execution, JobRows.describe(r), now);
            return ReportVerdict.targetHeld(j.accountId(), j.groupId());
          }
          return ReportVerdict.applied(next, j.accountId(), accountStatus);
        });
  }

  /** A success with nothing else to say: no risk, the target where it was, the device sound. */
  private static boolean plainSuccess(AgentJobReport r) {
    return r.outcome() == Outcome.SUCCEEDED && r.riskSignal() == null && !r.targetMissing() && !r.targetGone() && !r.contentRefused() && !r.deviceFault();
  }

  /**
   * PostgreSQL: a plain success under the job's current lease, settled in one statement that is its
   * own transaction (the job and its execution, as the full path would settle them): a report in
   * one round trip instead of four. Empty, and nothing changed, when the lease is not current or a
   * webhook subscribes to events (their deliveries are written in the full path's transaction).
   * The job's row is locked by the update itself, so a duplicate arriving now waits for this one,
   * then finds it applied.
   */
  private static Optional<ReportVerdict> settleSuccess(Connection c, AgentJobReport r, String screenshotPath, Instant now) throws SQLException {
    String sql = "WITH settled AS (UPDATE jobs SET state = 'SUCCEEDED', reason = NULL, decided_by = NULL, lease_expires_at = NULL, updated_at = ?"
        + " WHERE id = ? AND lease_token = ? AND state IN ('LEASED', 'RUNNING') AND " + EventOutbox.NO_SUBSCRIBERS + " RETURNING account_id),"
        + " ran AS (" + RECORD_EXECUTION + " AND EXISTS (SELECT 1 FROM settled))"
        + " SELECT account_id FROM settled";
    return Sql.one(c, sql, rs -> rs.getString(1), concat(new Object[] {now.toEpochMilli(), r.jobId(), r.fencingToken()}, executionArgs(r, screenshotPath, now, r.jobId())))
        .map(account -> ReportVerdict.applied(JobState.SUCCEEDED, account, null));
  }

  /** Whether the job's group or customer now belongs to another account than the job's (a handover moved it). */
  private static boolean movedAway(Connection c, Job j) throws SQLException {
    if (j.groupId() != null) {
      return Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ? AND account_id <> ?", j.groupId(), j.accountId()) > 0;
    }
    return j.customerId() != null && Sql.count(c, "SELECT COUNT(*) FROM customers WHERE id = ? AND account_id <> ?", j.customerId(), j.accountId()) > 0;
  }

  /**
   * Nothing was sent and the job is not to blame (the account, the target or the device is): its
   * reservations go back and the attempt is not counted. Returns QUEUED, the state it takes.
   */
  private JobState requeueWithoutAttempt(Connection c, String jobId) throws SQLException {
    reservations.release(c, jobId);
    Sql.update(c, "UPDATE jobs SET attempts = attempts - 1 WHERE id = ?", jobId);
    return JobState.QUEUED;
  }

  private static final String RECORD_EXECUTION = "UPDATE executions SET outcome = ?, failed_step = ?, error = ?, screenshot = ?, report_id = ?, script_version = ?,"
      + " evidence = ?, started_at = COALESCE(started_at, ?), finished_at = ? WHERE job_id = ? AND lease_token = ?";

  private static void recordExecution(Connection c, AgentJobReport r, String screenshotPath, Instant now, String jobId) throws SQLException {
    Sql.update(c, RECORD_EXECUTION, executionArgs(r, screenshotPath, now, jobId));
  }

  private static Object[] executionArgs(AgentJobReport r, String screenshotPath, Instant now, String jobId) {
    return new Object[] {r.outcome().name(), r.failedStep(), JobRows.truncate(r.error(), 4000), screenshotPath, r.reportId(), r.scriptVersion(), JobRows.truncate(r.evidence(), 1000),
        JobRows.millis(r.startedAt()), JobRows.millis(r.finishedAt() == null ? now : r.finishedAt()), jobId, r.fencingToken()};
  }

  private static Object[] concat(Object[] first, Object... then) {
    Object[] all = java.util.Arrays.copyOf(first, first.length + then.length);
    System.arraycopy(then, 0, all, first.length, then.length);
    return all;
  }

}
