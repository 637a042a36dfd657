package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.job.ExpiredLease;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends leases whose agent neither reported nor renewed in time, so no device stays busy forever.
 * Leases run out on real time, whatever the business clock does.
 */
public final class ExpireLeasesTask extends PeriodicTask<List<ExpiredLease>> {
  private static final Logger LOG = LoggerFactory.getLogger(ExpireLeasesTask.class);

  private final Jobs jobs;
  private final Clock systemClock;
  private final Consumer<ExpiredLease> ended;

  /** {@code ended} tells the node holding the device (any node of the cluster) that its lease is over. */
  public ExpireLeasesTask(Vertx vertx, WorkerExecutor workers, Jobs jobs, Clock systemClock, Consumer<ExpiredLease> ended) {
    super(vertx, workers, "lease expiry");
    this.jobs = jobs;
    this.systemClock = systemClock;
    this.ended = ended;
  }

  @Override
  protected List<ExpiredLease> runOnce() {
    return jobs.expiry().expireLeases(systemClock.instant());
  }

  @Override
  protected void done(List<ExpiredLease> expired) {
    for (ExpiredLease e : expired) {
      LOG.warn("job={} lease={} expired on device={}: now {}", e.jobId(), e.fencingToken(), e.deviceId(), e.newState());
      ended.accept(e);
    }
  }
}
