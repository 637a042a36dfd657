package com.wecomrpa.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One message on the agent link. Names carry their direction: {@code Agent*} flows from an agent
 * to the controller, {@code Controller*} the other way.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AgentHello.class, name = "agent.hello"),
  @JsonSubTypes.Type(value = AgentHeartbeat.class, name = "agent.heartbeat"),
  @JsonSubTypes.Type(value = AgentJobStarted.class, name = "agent.job-started"),
  @JsonSubTypes.Type(value = AgentJobReport.class, name = "agent.job-report"),
  @JsonSubTypes.Type(value = AgentDraining.class, name = "agent.draining"),
  @JsonSubTypes.Type(value = AgentLeaseReturned.class, name = "agent.lease-returned"),
  @JsonSubTypes.Type(value = AgentScriptRequest.class, name = "agent.script-request"),
  @JsonSubTypes.Type(value = AgentDeviceHealth.class, name = "agent.device-health"),
  @JsonSubTypes.Type(value = AgentHeard.class, name = "agent.heard"),
  @JsonSubTypes.Type(value = AgentScreen.class, name = "agent.screen"),
  @JsonSubTypes.Type(value = ControllerWatch.class, name = "controller.watch"),
  @JsonSubTypes.Type(value = ControllerListen.class, name = "controller.listen"),
  @JsonSubTypes.Type(value = ControllerWelcome.class, name = "controller.welcome"),
  @JsonSubTypes.Type(value = ControllerRefusal.class, name = "controller.refusal"),
  @JsonSubTypes.Type(value = ControllerJobOffer.class, name = "controller.job-offer"),
  @JsonSubTypes.Type(value = ControllerReportAck.class, name = "controller.report-ack"),
  @JsonSubTypes.Type(value = ControllerNotStored.class, name = "controller.not-stored"),
  @JsonSubTypes.Type(value = ControllerLeaseRevoked.class, name = "controller.lease-revoked"),
  @JsonSubTypes.Type(value = ControllerScriptBundle.class, name = "controller.script-bundle"),
  @JsonSubTypes.Type(value = ControllerDeviceHealth.class, name = "controller.device-health"),
})
public sealed interface Message
    permits AgentHello,
        AgentHeartbeat,
        AgentJobStarted,
        AgentJobReport,
        AgentDraining,
        AgentLeaseReturned,
        AgentScriptRequest,
        AgentDeviceHealth,
        AgentHeard,
        AgentScreen,
        ControllerWatch,
        ControllerListen,
        ControllerNotStored,
        ControllerWelcome,
        ControllerRefusal,
        ControllerJobOffer,
        ControllerReportAck,
        ControllerLeaseRevoked,
        ControllerScriptBundle,
        ControllerDeviceHealth {}
