package com.wecomrpa.controller.welcome;

import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;

/** Turns welcome batches whose window has closed into welcome jobs. Runs on the node leading the sweeps. */
public final class QueueWelcomesTask extends PeriodicTask<Integer> {
  private final Welcomes welcomes;
  private final Clock clock;
  private final Runnable queued;

  public QueueWelcomesTask(Vertx vertx, WorkerExecutor workers, Welcomes welcomes, Clock clock, Runnable queued) {
    super(vertx, workers, "welcome queueing");
    this.welcomes = welcomes;
    this.clock = clock;
    this.queued = queued;
  }

  @Override
  protected Integer runOnce() {
    return welcomes.queueDue(clock.instant());
  }

  @Override
  protected void done(Integer count) {
    if (count > 0) {
      queued.run();
    }
  }
}
