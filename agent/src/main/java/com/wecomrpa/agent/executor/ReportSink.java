package com.wecomrpa.agent.executor;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;

/** Where a device worker says what it is doing; called from the device's own thread. */
public interface ReportSink {
  void started(ControllerJobOffer offer);

  void report(AgentJobReport report);

  /** What a listen read: kept until the controller has stored it. */
  void heard(com.wecomrpa.protocol.AgentHeard heard);

  /** An offer this device will not start (the agent is draining): hand its lease back. */
  void returned(ControllerJobOffer offer);

  /** A device the controller marked unhealthy passed its health check, or the agent can write again. */
  void healthy(String deviceId, String detail);

  /** The device cannot take jobs for a reason the agent found (its disk is full): offer it nothing until it is healthy. */
  void unhealthy(String deviceId, String detail);

  /** A picture of a watched device's screen; lost if the link is down (the next one follows). */
  default void screen(com.wecomrpa.protocol.AgentScreen screen) {}
}
