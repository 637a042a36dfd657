package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.protocol.AgentDeviceHealth;
import com.wecomrpa.protocol.AgentDraining;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What an agent says about its devices: it is draining them, it repaired one, or here is a watched one's screen. */
public final class DeviceHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceHandler.class);

  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final com.wecomrpa.controller.screen.DeviceScreens screens;
  private final GatewayAlerts alerts;

  public DeviceHandler(DeviceBoard board, Dispatcher dispatcher, com.wecomrpa.controller.screen.DeviceScreens screens, GatewayAlerts alerts) {
    this.board = board;
    this.dispatcher = dispatcher;
    this.alerts = alerts;
    this.screens = screens;
  }

  void onScreen(AgentConnection conn, com.wecomrpa.protocol.AgentScreen s) {
    if (!screens.onScreen(conn.agentId(), s)) {
      LOG.debug("agent={} sent a screen of device={}, not its own here: dropped", conn.agentId(), s.deviceId());
    }
  }

  void onDraining(AgentConnection conn, AgentDraining d) {
    LOG.info("agent={} draining ({}): no more offers to its devices", conn.agentId(), d.reason());
    board.drain(conn.agentId());
  }

  /**
   * Only the agent a device is connected through may say it works again, or that it cannot work
   * (its own disk is full): one alert about the device then, resolved when the agent says it works.
   */
  void onHealth(AgentConnection conn, AgentDeviceHealth h) {
    if (h.healthy() && board.markHealthy(h.deviceId(), conn.agentId())) {
      LOG.info("device={} agent={} repaired ({}): takes jobs again", h.deviceId(), conn.agentId(), h.detail());
      alerts.agentSaysHealthy(conn.agentId(), h.deviceId(), h.detail());
      dispatcher.kick();
    } else if (!h.healthy()) {
      board.markUnhealthyByAgent(h.deviceId(), conn.agentId(), "agent " + conn.agentId() + ": " + h.detail())
          .ifPresent(account -> alerts.agentSaysUnhealthy(account, h.deviceId(), "agent " + conn.agentId() + ": " + h.detail()));
      LOG.warn("device={} agent={} says it cannot take jobs ({}): offered nothing until it says it can", h.deviceId(), conn.agentId(), h.detail());
    }
  }
}
