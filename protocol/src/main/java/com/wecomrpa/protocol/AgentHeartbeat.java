package com.wecomrpa.protocol;

import java.util.List;

/** Periodic liveness; renews every lease listed. */
public record AgentHeartbeat(List<LeaseRef> leases) implements Message {}
