package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.DeviceRelease;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.metrics.ControllerMetrics;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.Outcome;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An attempt's report: applied under its fencing token, forced to disk, then acknowledged; and
 * then the failure lands on what failed: a risk state on the account, a missing group on the group
 * (its jobs held, an alert), anything else on the device's health.
 */
public final class ReportHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ReportHandler.class);

  private final WorkerExecutor workers;
  private final Jobs jobs;
  private final com.wecomrpa.controller.evidence.Screenshots screenshots;
  private final GroupCommit durable;
  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final DeviceRelease release;
  private final ControllerMetrics metrics;
  private final GatewayAlerts alerts;
  private final Clock clock;
  private final Clock businessClock;
  private final GatewayTimings timings;

  public ReportHandler(WorkerExecutor workers, Jobs jobs, com.wecomrpa.controller.evidence.Screenshots screenshots, GroupCommit durable, DeviceBoard board, Dispatcher dispatcher,
      ControllerMetrics metrics, GatewayAlerts alerts, Clock clock, Clock businessClock, GatewayTimings timings) {
    this.workers = workers;
    this.jobs = jobs;
    this.screenshots = screenshots;
    this.durable = durable;
    this.board = board;
    this.dispatcher = dispatcher;
    this.release = new DeviceRelease(board, dispatcher::kick);
    this.metrics = metrics;
    this.alerts = alerts;
    this.clock = clock;
    this.businessClock = businessClock;
    this.timings = timings;
  }

  void onReport(AgentConnection conn, AgentJobReport r) {
    String agentId = conn.agentId();
    workers
        .executeBlocking(
            () -> {
              String shot = r.screenshotPng() == null ? null : screenshots.save(r.jobId(), r.fencingToken(), r.screenshotPng());
              return jobs.reports().applyReport(agentId, r, shot, clock.instant(), businessClock.instant(), timings.maxAttempts());
            },
            false)
        // Acknowledged only once on disk: an acknowledged report is gone from the agent's outbox.
        .compose(verdict -> durable.flushed().map(verdict))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                // Not acknowledged: the agent keeps the report and, told so, sends it again soon on this connection.
                LOG.warn("job={} report={} could not be stored: {}", r.jobId(), r.reportId(), NotStored.why(ar.cause()));
                conn.send(NotStored.of(r.reportId(), ar.cause()));
                return;
              }
              var verdict = ar.result();
              metrics.reported(r.fencingToken(), r.outcome());
              LOG.info(
                  "job={} lease={} device={} report {} -> {}{}",
                  r.jobId(), r.fencingToken(), r.deviceId(), r.outcome(),
                  verdict.accepted() ? verdict.newState() : "refused",
                  verdict.reason() == null ? "" : " (" + verdict.reason() + ")");
              if (verdict.accountStatus() != null) {
                metrics.riskSignal(verdict.accountId(), r.riskSignal());
                LOG.warn("ALERT job={} device={} saw risk state {}: account {} now {}", r.jobId(), r.deviceId(), r.riskSignal(), verdict.accountId(), verdict.accountStatus());
              }
              conn.send(new ControllerReportAck(r.reportId(), r.jobId(), verdict.accepted(), verdict.reason()));
              if (verdict.heldGroup() != null) {
                // The group's problem, not the device's: it goes on with other groups.
                alerts.groupUnreachable(verdict.accountId(), verdict.heldGroup(), r);
              } else if (verdict.accepted() && verdict.accountId() != null && r.riskSignal() == null && !r.contentRefused()) {
                // Risk states are the account's trouble and a refused content the job's, not the device's; they do not count here.
                board.recordOutcome(r.deviceId(), r.outcome() == Outcome.SUCCEEDED, r.failedStep() + ": " + r.error())
                    .ifPresent(why -> {
                      alerts.device(verdict.accountId(), r.deviceId(), "device:unhealthy", why);
                      conn.send(new ControllerDeviceHealth(r.deviceId(), false, why));
                    });
              }
              release.release(r.deviceId(), r.jobId(), r.fencingToken());
            });
  }
}
