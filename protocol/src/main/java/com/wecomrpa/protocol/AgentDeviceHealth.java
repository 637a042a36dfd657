package com.wecomrpa.protocol;

/** The agent repaired a device the controller marked unhealthy (its health check passed). */
public record AgentDeviceHealth(String deviceId, boolean healthy, String detail) implements Message {}
