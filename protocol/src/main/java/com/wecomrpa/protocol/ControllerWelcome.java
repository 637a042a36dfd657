package com.wecomrpa.protocol;

/** The hello was accepted. Heartbeats must come at least every {@code heartbeatMillis}. */
public record ControllerWelcome(String agentId, long heartbeatMillis, long leaseMillis) implements Message {}
