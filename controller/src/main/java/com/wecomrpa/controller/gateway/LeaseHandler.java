package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.DeviceRelease;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.protocol.AgentHeartbeat;
import com.wecomrpa.protocol.AgentJobStarted;
import com.wecomrpa.protocol.AgentLeaseReturned;
import com.wecomrpa.protocol.ControllerLeaseRevoked;
import com.wecomrpa.protocol.LeaseRef;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What agents say about the leases they hold: started, still alive (heartbeats), handed back. */
public final class LeaseHandler {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseHandler.class);

  private final WorkerExecutor workers;
  private final Jobs jobs;
  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final DeviceRelease release;
  private final Clock clock;
  private final Clock businessClock;
  private final GatewayTimings timings;

  public LeaseHandler(WorkerExecutor workers, Jobs jobs, DeviceBoard board, Dispatcher dispatcher, Clock clock, Clock businessClock, GatewayTimings timings) {
    this.workers = workers;
    this.jobs = jobs;
    this.board = board;
    this.dispatcher = dispatcher;
    this.release = new DeviceRelease(board, dispatcher::kick);
    this.clock = clock;
    this.businessClock = businessClock;
    this.timings = timings;
  }

  void onHeartbeat(AgentConnection conn, AgentHeartbeat hb) {
    if (hb.leases() != null) {
      hb.leases().forEach(l -> renew(conn, l));
    }
  }

  private void renew(AgentConnection conn, LeaseRef lease) {
    workers
        .executeBlocking(() -> jobs.reports().renew(lease.jobId(), lease.fencingToken(), clock.instant(), timings.leaseFor()), false)
        .onSuccess(
            ok -> {
              if (!ok) {
                conn.send(new ControllerLeaseRevoked(lease.jobId(), lease.fencingToken(), "lease is no longer current"));
                release.release(lease.deviceId(), lease.jobId(), lease.fencingToken());
              }
            });
  }

  void onStarted(AgentConnection conn, AgentJobStarted s) {
    String agentId = conn.agentId();
    workers
        .executeBlocking(() -> jobs.reports().markStarted(s.jobId(), s.fencingToken(), agentId, s.deviceId(), clock.instant(), businessClock.instant(),
            timings.leaseFor()), false)
        .onSuccess(
            ok -> {
              if (!ok) {
                LOG.warn("job={} lease={} start refused: lease not current", s.jobId(), s.fencingToken());
                conn.send(new ControllerLeaseRevoked(s.jobId(), s.fencingToken(), "lease is no longer current"));
              }
            })
        // The lease stays LEASED and is renewed by the heartbeats; its report fills in the start.
        .onFailure(e -> LOG.warn("job={} lease={} start not stored: {}", s.jobId(), s.fencingToken(), e.toString()));
  }

  void onReturned(AgentLeaseReturned back) {
    workers
        .executeBlocking(() -> jobs.expiry().returnLease(back.jobId(), back.fencingToken(), clock.instant(), "returned unstarted by its agent (draining, or its disk full)"), false)
        .onSuccess(
            returned -> {
              returned.ifPresent(e -> LOG.info("job={} lease={} returned unstarted by device={}: back in the queue", e.jobId(), e.fencingToken(), back.deviceId()));
              release.release(back.deviceId(), back.jobId(), back.fencingToken());
            });
  }
}
