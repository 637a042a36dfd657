package com.wecomrpa.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A job handed to one device under a lease. Every report and renewal must quote {@code
 * fencingToken}; one from an older lease is refused.
 */
public record ControllerJobOffer(
    String jobId,
    long fencingToken,
    String deviceId,
    String accountId,
    String action,
    Map<String, String> params,
    int attempt,
    Instant leaseExpiresAt)
    implements Message {}
