package com.wecomrpa.controller.webhook;

import com.wecomrpa.controller.job.ControllerCalls;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Plan steps of kind {@code webhook}, called by the controller instead of a device. A call is a job
 * like a send, leased and ended by {@link ControllerCalls}: SUCCEEDED on 2xx, FAILED on a definite
 * refusal (4xx) or after its attempts, otherwise queued again with a backoff. Every attempt carries
 * the job's id as {@code Idempotency-Key}, so a receiver that saw an attempt whose answer was lost
 * (or a controller that died mid-call) does the thing once.
 */
public final class CallWebhookStepsTask extends PeriodicTask<Integer> {
  public static final String ACTION = "webhook";
  /** What the job's executions show as the doer. */
  private static final String DOER = "webhook";
  /** A lease outlives the call's own timeout by this much before another node may take the job. */
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(60);

  private final ControllerCalls calls;
  private final Clock clock;
  private final Clock system;

  public CallWebhookStepsTask(Vertx vertx, WorkerExecutor workers, ControllerCalls calls, Clock clock, Clock system) {
    super(vertx, workers, "webhook steps");
    this.calls = calls;
    this.clock = clock;
    this.system = system;
  }

  private static Duration timeout(Map<String, String> params) {
    return Duration.ofMillis(Long.parseLong(params.getOrDefault("timeout_ms", "10000")));
  }

  @Override
  protected Integer runOnce() {
    List<ControllerCalls.Leased> leased = calls.lease(ACTION, DOER, 20, p -> timeout(p).plus(LEASE_MARGIN), clock.instant(), system.instant());
    for (ControllerCalls.Leased call : leased) {
      Map<String, String> p = call.params();
      HttpCall r = HttpCall.send(p.get("method"), p.get("url"), p.get("body"), Map.of("Idempotency-Key", call.jobId(), "X-Wecom-Rpa-Job", call.jobId()), timeout(p));
      calls.finish(call, ACTION, DOER, new ControllerCalls.Result(r.ok(), r.definite(), r.describe()), clock.instant(), system.instant());
    }
    return leased.size();
  }

  @Override
  protected void done(Integer result) {}
}
