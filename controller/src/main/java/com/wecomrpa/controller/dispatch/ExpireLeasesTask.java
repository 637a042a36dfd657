package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.job.ExpiredLease;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends leases whose agent neither reported nor renewed in time, so no device stays busy forever.
 * Leases run out on real time, whatever the business clock does.
 */
public final class ExpireLeasesTask extends PeriodicTask<List<ExpiredLease>> {
  private static final Logger LOG = LoggerFactory.getLogger(ExpireLeasesTask.class);

  private final Jobs jobs;
  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final Clock systemClock;

  public ExpireLeasesTask(Vertx vertx, WorkerExecutor workers, Jobs jobs, DeviceBoard board, Dispatcher dispatcher, Clock systemClock) {
    super(vertx, workers, "lease expiry");
    this.jobs = jobs;
    this.board = board;
    this.dispatcher = dispatcher;
    this.systemClock = systemClock;
  }

  @Override
  protected List<ExpiredLease> runOnce() {
    return jobs.expiry().expireLeases(systemClock.instant());
  }

  @Override
  protected void done(List<ExpiredLease> expired) {
    for (ExpiredLease e : expired) {
      LOG.warn("job={} lease={} expired on device={}: now {}", e.jobId(), e.fencingToken(), e.deviceId(), e.newState());
      board.release(e.deviceId(), e.jobId(), e.fencingToken());
    }
    // Also the dispatcher's heartbeat: work whose not-before time has come is picked up.
    dispatcher.kick();
  }
}
