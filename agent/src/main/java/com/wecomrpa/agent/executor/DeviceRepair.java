package com.wecomrpa.agent.executor;

import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.script.Flow;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller found the device failing job after job: repair it on its own thread (new
 * session, login, health check), retrying from 1 s, doubling to 30 s, until it works; then say so.
 */
final class DeviceRepair {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceRepair.class);
  static final long FIRST_DELAY_MS = 1000;
  static final long MAX_DELAY_MS = 30_000;

  private final String deviceId;
  private final String clientLabel;
  private final DeviceSession session;
  private final ScheduledExecutorService thread;
  /** Says the device works again: (device id, what passed). */
  private final java.util.function.BiConsumer<String, String> healthy;
  private final BooleanSupplier draining;
  private final long firstDelayMs;
  private volatile boolean repairing;

  DeviceRepair(String deviceId, String clientLabel, DeviceSession session, ScheduledExecutorService thread, java.util.function.BiConsumer<String, String> healthy,
      BooleanSupplier draining,
      long firstDelayMs) {
    this.deviceId = deviceId;
    this.clientLabel = clientLabel;
    this.session = session;
    this.thread = thread;
    this.healthy = healthy;
    this.draining = draining;
    this.firstDelayMs = firstDelayMs;
  }

  boolean repairing() {
    return repairing;
  }

  void start(String reason) {
    if (repairing) {
      return;
    }
    repairing = true;
    LOG.warn("device={} reported unhealthy ({}): repairing", deviceId, reason);
    schedule(firstDelayMs);
  }

  private void schedule(long delayMs) {
    try {
      thread.schedule(() -> attempt(delayMs), delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // the device is stopping
    }
  }

  private void attempt(long lastDelayMs) {
    if (!repairing || draining.getAsBoolean()) {
      return;
    }
    String problem;
    try {
      if (!session.hasScripts()) {
        throw new IllegalStateException("no script set for " + clientLabel);
      }
      session.close();
      session.ensure();
      var scripts = session.interpreter().scripts();
      Optional<Flow> check = scripts.flow(ActionName.HEALTH_CHECK).or(() -> scripts.flow(ActionName.PREPARE));
      FlowResult r = check.map(f -> session.interpreter().run(f, Map.of(), session.driver())).orElse(new FlowResult(Outcome.SUCCEEDED, null, null, null, Map.of()));
      problem = r.outcome() == Outcome.SUCCEEDED ? null : r.failedStep() + ": " + r.error();
    } catch (RuntimeException e) {
      problem = e.getMessage();
    }
    if (problem == null) {
      repairing = false;
      LOG.info("device={} repaired: logged in again and its health check passed", deviceId);
      healthy.accept(deviceId, "new session, logged in, health check passed");
      return;
    }
    long next = Math.min(MAX_DELAY_MS, lastDelayMs * 2);
    LOG.warn("device={} still unhealthy ({}); next try in {} ms", deviceId, problem, next);
    schedule(next);
  }
}
