package com.wecomrpa.controller.gateway;

import java.time.Duration;

/** How long a lease lasts unless renewed, how often agents beat, and how often a job is tried. */
public record GatewayTimings(Duration leaseFor, Duration heartbeatEvery, int maxAttempts) {}
