package com.wecomrpa.protocol;

import java.util.List;

/**
 * First message on a connection. The token is checked before anything else is read; the devices
 * are what the agent offers to run jobs on. {@code activeLeases} lists jobs still running from
 * before a reconnect, so the controller keeps those devices busy instead of offering them twice.
 */
public record AgentHello(
    String agentId, String token, String agentVersion, List<DeviceInfo> devices, List<LeaseRef> activeLeases)
    implements Message {}
