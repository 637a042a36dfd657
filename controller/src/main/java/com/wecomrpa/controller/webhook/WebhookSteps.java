package com.wecomrpa.controller.webhook;

import com.fasterxml.jackson.core.type.TypeReference;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.sweep.PeriodicTask;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plan steps of kind {@code webhook}, called by the controller instead of a device. A call is a job
 * like a send: leased (with an execution row), then SUCCEEDED on 2xx, FAILED on a definite refusal
 * (4xx) or after {@link #MAX_ATTEMPTS}, otherwise queued again after 10 s, 30 s, 90 s ... of business
 * time. Every attempt carries the job's id as {@code Idempotency-Key}, so a receiver that saw an
 * attempt whose answer was lost (or a controller that died mid-call) does the thing once.
 */
public final class WebhookSteps extends PeriodicTask<Integer> {
  public static final String ACTION = "webhook";
  static final int MAX_ATTEMPTS = 5;
  private static final TypeReference<Map<String, String>> PARAMS = new TypeReference<>() {};

  private record Call(String jobId, String accountId, String customerId, long token, int attempt, Map<String, String> params) {}

  private final Database db;
  private final Clock clock;
  private final Clock system;

  public WebhookSteps(Vertx vertx, WorkerExecutor workers, Database db, Clock clock, Clock system) {
    super(vertx, workers, "webhook steps");
    this.db = db;
    this.clock = clock;
    this.system = system;
  }

  @Override
  protected Integer runOnce() {
    List<Call> calls = lease();
    for (Call call : calls) {
      Map<String, String> p = call.params();
      Duration timeout = Duration.ofMillis(Long.parseLong(p.getOrDefault("timeout_ms", "10000")));
      HttpCall r = HttpCall.send(p.get("method"), p.get("url"), p.get("body"), Map.of("Idempotency-Key", call.jobId(), "X-Wecom-Rpa-Job", call.jobId()), timeout);
      record(call, r);
    }
    return calls.size();
  }

  private List<Call> lease() {
    Instant now = clock.instant();
    long sysNow = system.millis();
    return db.inTransaction(c -> {
      List<Object[]> rows = Sql.list(c,
          "SELECT id, account_id, customer_id, lease_token, attempts, params FROM jobs WHERE action = ? AND state IN ('QUEUED', 'UNKNOWN') AND due_at <= ?"
              + " AND (expires_at IS NULL OR expires_at >= ?) ORDER BY due_at, seq LIMIT 20",
          rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getInt(5), rs.getString(6)},
          ACTION, now.toEpochMilli(), now.toEpochMilli());
      List<Call> out = new ArrayList<>();
      for (Object[] row : rows) {
        long token = (Long) row[3] + 1;
        int attempt = (Integer) row[4] + 1;
        Map<String, String> params;
        try {
          params = WireCodec.mapper().readValue((String) row[5], PARAMS);
        } catch (java.io.IOException e) {
          throw new java.sql.SQLException("unreadable params of job " + row[0], e);
        }
        long timeout = Long.parseLong(params.getOrDefault("timeout_ms", "10000"));
        if (Sql.update(c, "UPDATE jobs SET state = 'LEASED', lease_token = ?, attempts = ?, lease_expires_at = ?, agent_id = 'controller', device_id = 'webhook', updated_at = ?"
            + " WHERE id = ? AND state IN ('QUEUED', 'UNKNOWN')", token, attempt, sysNow + timeout + 60_000, sysNow, row[0]) == 1) {
          Sql.update(c, "INSERT INTO executions (job_id, attempt, lease_token, agent_id, device_id, leased_at, started_at) VALUES (?, ?, ?, 'controller', 'webhook', ?, ?)",
              row[0], attempt, token, sysNow, sysNow);
          out.add(new Call((String) row[0], (String) row[1], (String) row[2], token, attempt, params));
        }
      }
      return out;
    });
  }

  private void record(Call call, HttpCall r) {
    Instant now = clock.instant();
    long sysNow = system.millis();
    db.inTransaction(c -> {
      String state;
      String reason;
      if (r.ok()) {
        state = "SUCCEEDED";
        reason = null;
      } else if (r.definite() || call.attempt() >= MAX_ATTEMPTS) {
        state = "FAILED";
        reason = "webhook: " + r.describe() + " (attempt " + call.attempt() + ")";
      } else {
        state = "QUEUED";
        reason = "webhook: " + r.describe() + "; retrying";
      }
      Instant retryAt = now.plus(Duration.ofSeconds(10L * (long) Math.pow(3, call.attempt() - 1)));
      int changed = state.equals("QUEUED")
          ? Sql.update(c, "UPDATE jobs SET state = 'QUEUED', reason = ?, due_at = ?, not_before = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'LEASED'",
              reason, retryAt.toEpochMilli(), retryAt.toEpochMilli(), sysNow, call.jobId(), call.token())
          : Sql.update(c, "UPDATE jobs SET state = ?, reason = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'LEASED'",
              state, reason, sysNow, call.jobId(), call.token());
      if (changed == 0) {
        return null; // the lease expired meanwhile and the job was taken again: that attempt records itself
      }
      Sql.update(c, "UPDATE executions SET finished_at = ?, outcome = ?, error = ?, failed_step = ? WHERE job_id = ? AND lease_token = ?",
          sysNow, r.ok() ? "SUCCEEDED" : "FAILED", r.ok() ? null : r.describe().length() > 4000 ? r.describe().substring(0, 4000) : r.describe(), r.ok() ? null : "webhook", call.jobId(), call.token());
      if (!state.equals("QUEUED")) {
        EventOutbox.jobEnded(c, "job:" + call.jobId() + ":" + state, call.jobId(), ACTION, call.accountId(), null, call.customerId(), "webhook", state, reason, now);
      }
      return null;
    });
  }

  @Override
  protected void done(Integer result) {}
}
