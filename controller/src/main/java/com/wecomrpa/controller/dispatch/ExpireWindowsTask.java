package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends queued jobs past their window (SKIPPED {@code expired}) even where no device asks for them,
 * so a plan's report is final at the end of its day. Windows follow the business clock.
 */
public final class ExpireWindowsTask extends PeriodicTask<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ExpireWindowsTask.class);

  private final Jobs jobs;
  private final Clock clock;

  public ExpireWindowsTask(Vertx vertx, WorkerExecutor workers, Jobs jobs, Clock clock) {
    super(vertx, workers, "window expiry");
    this.jobs = jobs;
    this.clock = clock;
  }

  @Override
  protected Integer runOnce() {
    return jobs.expiry().expireWindows(clock.instant());
  }

  @Override
  protected void done(Integer expired) {
    if (expired > 0) {
      LOG.info("{} queued jobs passed their window: SKIPPED expired", expired);
    }
  }
}
