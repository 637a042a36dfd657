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
 * Leases run out on real time, whatever the business clock does. A node that could not hear the
 * agents (its database away, not ready, not leading the sweeps) ends no lease until it has heard
 * them for {@code hearing}: reports and renewals refused meanwhile come again within a heartbeat,
 * and a lease that ran out while nobody could store them is not the device's fault.
 */
public final class ExpireLeasesTask extends PeriodicTask<List<ExpiredLease>> {
  private static final Logger LOG = LoggerFactory.getLogger(ExpireLeasesTask.class);

  private final Jobs jobs;
  private final Clock systemClock;
  private final Consumer<ExpiredLease> ended;
  private final java.time.Duration hearing;
  private volatile boolean deaf;
  private volatile java.time.Instant hearingSince = java.time.Instant.MIN;

  /** {@code ended} tells the node holding the device (any node of the cluster) that its lease is over. */
  public ExpireLeasesTask(Vertx vertx, WorkerExecutor workers, Jobs jobs, Clock systemClock, java.time.Duration hearing, Consumer<ExpiredLease> ended) {
    super(vertx, workers, "lease expiry");
    this.jobs = jobs;
    this.systemClock = systemClock;
    this.hearing = hearing;
    this.ended = ended;
  }

  @Override
  protected List<ExpiredLease> runOnce() {
    java.time.Instant now = systemClock.instant();
    if (deaf) {
      deaf = false;
      hearingSince = now;
      LOG.info("lease expiry: hearing the agents again; no lease ends before {}", now.plus(hearing));
    }
    // Still a query while hearing, so a database that is away again counts as another deaf spell.
    return jobs.expiry().expireLeases(now.isBefore(hearingSince.plus(hearing)) ? java.time.Instant.EPOCH : now);
  }

  @Override
  protected void missed() {
    deaf = true;
  }

  @Override
  protected void done(List<ExpiredLease> expired) {
    for (ExpiredLease e : expired) {
      LOG.warn("job={} lease={} expired on device={}: now {}", e.jobId(), e.fencingToken(), e.deviceId(), e.newState());
      ended.accept(e);
    }
  }
}
