package com.wecomrpa.controller.job;

import com.fasterxml.jackson.core.type.TypeReference;
import com.wecomrpa.controller.outbox.EventOutbox;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.time.Duration;
import java.time.Instant;
import com.wecomrpa.controller.admission.StepConditionsRule;
import com.wecomrpa.controller.conditions.StepGuard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jobs the controller does itself (a plan's webhook step): leased like a device's job, with a
 * fencing token and an execution row, on disk before the call leaves; ended SUCCEEDED, FAILED on a
 * definite refusal or after {@link #MAX_ATTEMPTS}, otherwise queued again after 10 s, 30 s, 90 s
 * ... of business time (a receiver that is down is not called again at once, as a free device is).
 */
public final class ControllerCalls {
  /** Attempts of a call before it fails: a receiver down for a few minutes is waited out. */
  public static final int MAX_ATTEMPTS = 5;
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
  /** Who holds the lease of a job the controller does itself. */
  static final String AGENT = "controller";
  private static final TypeReference<Map<String, String>> PARAMS = new TypeReference<>() {};

  /** One call to make under this lease. */
  public record Leased(String jobId, String accountId, String customerId, long token, int attempt, Map<String, String> params) {}

  /** How the call went: {@code definite} when the receiver refused it for good (4xx). */
  public record Result(boolean ok, boolean definite, String describe) {}

  private final Database db;
  private final FencingTokens tokens;

  public ControllerCalls(Database db, FencingTokens tokens) {
    this.db = db;
    this.tokens = tokens;
  }

  /** Retry wait after attempt {@code attempt} (1-based): 10 s, 30 s, 90 s, ... */
  static Duration backoff(int attempt) {
    return FIRST_BACKOFF.multipliedBy((long) Math.pow(3, attempt - 1));
  }

  /**
   * Leases up to {@code limit} due jobs of {@code action} for {@code device} (what the execution
   * shows as the doer), each held for {@code leaseFor} of its params in real time. Forced to disk before it
   * returns: a call is never made under a lease a crash could forget.
   */
  public List<Leased> lease(String action, String device, int limit, java.util.function.Function<Map<String, String>, Duration> leaseFor, Instant now, Instant realNow) {
    List<Leased> out = db.inTransaction(c -> {
      List<Object[]> rows = Sql.list(c,
          "SELECT id, account_id, customer_id, attempts, params, guard, state FROM jobs WHERE action = ? AND state IN ('QUEUED', 'UNKNOWN') AND due_at <= ?"
              + " AND (expires_at IS NULL OR expires_at >= ?) ORDER BY due_at, seq LIMIT " + limit,
          rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6), rs.getString(7)},
          action, now.toEpochMilli(), now.toEpochMilli());
      List<Leased> leased = new ArrayList<>();
      for (Object[] row : rows) {
        // A step's unless or its plan's exit, as a device's claim decides it (never for a call that may have gone).
        var stop = "QUEUED".equals(row[6]) ? StepGuard.check(c, (String) row[2], (String) row[5]) : java.util.Optional.<StepGuard.Stop>empty();
        if (stop.isPresent()) {
          Sql.update(c, "UPDATE jobs SET state = 'SKIPPED', reason = ?, decided_by = ?, updated_at = ? WHERE id = ? AND state = 'QUEUED'",
              JobRows.truncate(stop.get().reason(), 1000), StepConditionsRule.NAME, realNow.toEpochMilli(), row[0]);
          continue;
        }
        long token = tokens.next();
        int attempt = (Integer) row[3] + 1;
        Map<String, String> params;
        try {
          params = WireCodec.mapper().readValue((String) row[4], PARAMS);
        } catch (java.io.IOException e) {
          throw new java.sql.SQLException("unreadable params of job " + row[0], e);
        }
        long sys = realNow.toEpochMilli();
        if (Sql.update(c, "UPDATE jobs SET state = 'LEASED', lease_token = ?, attempts = ?, lease_expires_at = ?, agent_id = ?, device_id = ?, updated_at = ?"
            + " WHERE id = ? AND state IN ('QUEUED', 'UNKNOWN')", token, attempt, sys + leaseFor.apply(params).toMillis(), AGENT, device, sys, row[0]) == 1) {
          Sql.update(c, "INSERT INTO executions (job_id, attempt, lease_token, agent_id, device_id, leased_at, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              row[0], attempt, token, AGENT, device, sys, sys);
          leased.add(new Leased((String) row[0], (String) row[1], (String) row[2], token, attempt, params));
        }
      }
      return leased;
    });
    if (!out.isEmpty()) {
      db.forceToDisk();
    }
    return out;
  }

  /** Records how the call went, under its lease; nothing when the lease ran out and the job was taken again. */
  public void finish(Leased call, String action, String failedStep, Result r, Instant now, Instant realNow) {
    long sys = realNow.toEpochMilli();
    db.inTransaction(c -> {
      JobState state;
      String reason;
      if (r.ok()) {
        state = JobState.SUCCEEDED;
        reason = null;
      } else if (r.definite() || call.attempt() >= MAX_ATTEMPTS) {
        state = JobState.FAILED;
        reason = failedStep + ": " + r.describe() + " (attempt " + call.attempt() + ")";
      } else {
        state = JobState.QUEUED;
        reason = failedStep + ": " + r.describe() + "; retrying";
      }
      Instant retryAt = now.plus(backoff(call.attempt()));
      int changed = state == JobState.QUEUED
          ? Sql.update(c, "UPDATE jobs SET state = 'QUEUED', reason = ?, due_at = ?, not_before = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'LEASED'",
              reason, retryAt.toEpochMilli(), retryAt.toEpochMilli(), sys, call.jobId(), call.token())
          : Sql.update(c, "UPDATE jobs SET state = ?, reason = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'LEASED'",
              state.name(), reason, sys, call.jobId(), call.token());
      if (changed == 0) {
        return null;
      }
      Sql.update(c, "UPDATE executions SET finished_at = ?, outcome = ?, error = ?, failed_step = ? WHERE job_id = ? AND lease_token = ?",
          sys, r.ok() ? "SUCCEEDED" : "FAILED", r.ok() ? null : JobRows.truncate(r.describe(), 4000), r.ok() ? null : failedStep, call.jobId(), call.token());
      if (state != JobState.QUEUED) {
        EventOutbox.jobEnded(c, "job:" + call.jobId() + ":" + state.name(), call.jobId(), action, call.accountId(), null, call.customerId(),
            failedStep, state.name(), reason, now);
      }
      return null;
    });
  }
}
