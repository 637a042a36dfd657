package com.wecomrpa.simulator;

import java.time.Instant;

/** A warning ("too-frequent") or restriction the simulated platform issued to an account. */
public record RiskEvent(String accountId, String kind, Instant at) {}
