package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.protocol.AgentJobReport;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Alerts the gateway raises about a device or a group, logged and stored off the event loop. */
public final class GatewayAlerts {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayAlerts.class);

  private final WorkerExecutor workers;
  private final JdbcAlertStore alerts;
  private final Clock clock;

  public GatewayAlerts(WorkerExecutor workers, JdbcAlertStore alerts, Clock clock) {
    this.workers = workers;
    this.alerts = alerts;
    this.clock = clock;
  }

  void device(String accountId, String deviceId, String kind, String detail) {
    LOG.warn("ALERT device={} account={} {}: {}", deviceId, accountId, kind, detail);
    raise(accountId, kind, JdbcAlertStore.subject("device", deviceId), "device " + deviceId + ": " + detail, null);
  }

  /** What the agent itself found keeps the device from work (its disk is full). */
  void agentSaysUnhealthy(String accountId, String deviceId, String detail) {
    device(accountId, deviceId, "device:unhealthy", "takes no jobs: " + detail);
  }

  /** The device's agent says it works again (repaired, or its disk takes writes): the device's alerts are resolved by it. */
  void agentSaysHealthy(String agentId, String deviceId, String detail) {
    workers.executeBlocking(() -> alerts.resolveAbout(JdbcAlertStore.subject("device", deviceId), agentId, detail, clock.instant()), false);
  }

  void groupUnreachable(String accountId, String groupId, AgentJobReport r) {
    String detail = "group " + groupId + " not found by device " + r.deviceId() + " (job " + r.jobId() + ", step " + r.failedStep() + ": " + r.error()
        + "); its jobs are held until it is renamed, retried or confirmed gone";
    LOG.warn("ALERT group={} account={} group:unreachable: {}", groupId, accountId, detail);
    raise(accountId, "group:unreachable", JdbcAlertStore.subject("group", groupId), detail, r.jobId());
  }

  private void raise(String accountId, String kind, String subject, String detail, String jobId) {
    workers.executeBlocking(() -> {
      alerts.raise(accountId, kind, subject, detail, jobId, clock.instant());
      return null;
    }, false);
  }
}
