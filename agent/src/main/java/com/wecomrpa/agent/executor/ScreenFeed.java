package com.wecomrpa.agent.executor;

import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.flow.FlowInterpreter;
import com.wecomrpa.protocol.AgentScreen;
import java.time.Clock;
import java.util.Base64;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's screen for whoever watches it: a picture about every {@code every} while a watch
 * lasts, taken on the device's own thread (between a job's steps, or by the idle tick), never
 * otherwise. A watch not renewed lapses by itself, so a closed console page costs the device nothing.
 */
final class ScreenFeed implements FlowInterpreter.StepWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ScreenFeed.class);

  private final String deviceId;
  private final Clock clock;
  private final Consumer<AgentScreen> out;
  private volatile long until;
  private volatile long everyMillis = 1500;
  private volatile String jobId;
  private long lastAt;
  /** The job the last picture showed: a device that starts another job is shown at once. */
  private String lastJob;

  ScreenFeed(String deviceId, Clock clock, Consumer<AgentScreen> out) {
    this.deviceId = deviceId;
    this.clock = clock;
    this.out = out;
  }

  /** Extends the watch; true if it had lapsed (the idle tick must be started again). */
  synchronized boolean watch(long forMillis, long every) {
    long now = clock.millis();
    boolean lapsed = !watched(now);
    everyMillis = Math.max(500, every);
    until = Math.max(until, now + Math.min(forMillis, 60_000));
    return lapsed;
  }

  boolean watched(long now) {
    return now < until;
  }

  long everyMillis() {
    return everyMillis;
  }

  /** The job the device works on now (null between jobs): frames name it. */
  void working(String jobId) {
    this.jobId = jobId;
  }

  @Override
  public void stepped(String action, String step, UiDriver driver) {
    shoot(driver, jobId == null ? null : action + ": " + step);
  }

  /** Takes a picture if someone watches and the last is older than the interval. Device thread only. */
  void shoot(UiDriver driver, String step) {
    long now = clock.millis();
    String job = jobId;
    boolean changed = !java.util.Objects.equals(job, lastJob);
    if (driver == null || !watched(now) || (!changed && now - lastAt < everyMillis - 100)) {
      return;
    }
    lastAt = now;
    lastJob = job;
    try {
      byte[] png = driver.screenshot();
      if (png != null) {
        out.accept(new AgentScreen(deviceId, job, step, Base64.getEncoder().encodeToString(png), now));
      }
    } catch (RuntimeException e) {
      // A watcher's picture never fails a job: the next step tries again.
      LOG.debug("device={} screen not taken: {}", deviceId, e.getMessage());
    }
  }
}
