package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.job.ExpiredLease;
import com.wecomrpa.controller.job.JdbcJobStore;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ends leases whose agent neither reported nor renewed in time, so no device stays busy forever. */
public final class ExpireLeasesTask {
  private static final Logger LOG = LoggerFactory.getLogger(ExpireLeasesTask.class);

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final JdbcJobStore jobs;
  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final Clock clock;
  private final Clock systemClock;
  private long timerId = -1;
  private boolean running;

  /** Leases run out on {@code systemClock} (real time); job windows on {@code clock} (business time). */
  public ExpireLeasesTask(Vertx vertx, WorkerExecutor workers, JdbcJobStore jobs, DeviceBoard board, Dispatcher dispatcher, Clock clock, Clock systemClock) {
    this.vertx = vertx;
    this.workers = workers;
    this.jobs = jobs;
    this.board = board;
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.systemClock = systemClock;
  }

  public void start(Duration every) {
    timerId = vertx.setPeriodic(every.toMillis(), t -> runOnce());
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  private void runOnce() {
    if (running) {
      return;
    }
    running = true;
    workers
        .executeBlocking(
            () -> {
              int expired = jobs.expireWindows(clock.instant());
              if (expired > 0) {
                LOG.info("{} queued jobs passed their window: SKIPPED expired", expired);
              }
              return jobs.expireLeases(systemClock.instant());
            },
            false)
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                LOG.error("lease expiry failed", ar.cause());
                return;
              }
              List<ExpiredLease> expired = ar.result();
              for (ExpiredLease e : expired) {
                LOG.warn("job={} lease={} expired on device={}: now {}", e.jobId(), e.fencingToken(), e.deviceId(), e.newState());
                board.release(e.deviceId(), e.jobId(), e.fencingToken());
              }
              // Periodic kick also picks up work whose not-before time has come.
              dispatcher.kick();
            });
  }
}
