package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.cluster.ClusterSignals.DeviceAction;
import com.wecomrpa.controller.job.Jobs;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does to a device connected to this node: drain it, send it for repair, put it
 * back to work, or release the lease it is stuck on. Answers null when the device is not here.
 */
public final class DeviceActions {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceActions.class);

  private final DeviceBoard board;
  private final WorkerExecutor workers;
  private final Jobs jobs;
  private final Clock systemClock;
  private final Runnable kickDispatch;

  public DeviceActions(DeviceBoard board, WorkerExecutor workers, Jobs jobs, Clock systemClock, Runnable kickDispatch) {
    this.board = board;
    this.workers = workers;
    this.jobs = jobs;
    this.systemClock = systemClock;
    this.kickDispatch = kickDispatch;
  }

  public Future<?> apply(DeviceAction a) {
    String id = a.deviceId();
    if (board.status(id).isEmpty()) {
      return Future.succeededFuture();
    }
    String why = a.reason() == null || a.reason().isBlank() ? "" : ": " + a.reason();
    LOG.info("device={} {} by an operator{}", id, a.action(), why);
    return switch (a.action()) {
      case "drain" -> Future.succeededFuture(board.drainDevice(id).orElse(null));
      case "repair" -> Future.succeededFuture(board.markForRepair(id, "marked for repair by an operator" + why).orElse(null));
      case "resume" -> {
        Optional<DeviceStatus> s = board.resumeDevice(id);
        kickDispatch.run();
        yield Future.succeededFuture(s.orElse(null));
      }
      case "release" -> board.busyWith(id)
          .map(lease -> workers
              .executeBlocking(() -> jobs.expiry().releaseLease(lease.jobId(), lease.fencingToken(), systemClock.instant(), "released by an operator"), false)
              .compose(ended -> {
                new DeviceRelease(board, kickDispatch).release(id, lease.jobId(), lease.fencingToken());
                return ended.isPresent()
                    ? Future.succeededFuture(board.status(id).orElse(null))
                    : Future.failedFuture("job " + lease.jobId() + " no longer holds lease " + lease.fencingToken() + "; the device is free again");
              }))
          .orElseGet(() -> Future.failedFuture("device " + id + " holds no lease"));
      default -> Future.failedFuture("unknown device action " + a.action());
    };
  }
}
