package com.wecomrpa.controller.job;

import java.time.Instant;
import java.util.Map;

/** One action on one target, e.g. one broadcast's post to one group. */
public record Job(
    String id,
    String sourceKind,
    String sourceId,
    String accountId,
    String groupId,
    String action,
    Map<String, String> params,
    JobState state,
    String reason,
    int attempts,
    long leaseToken,
    Instant leaseExpiresAt,
    String agentId,
    String deviceId,
    Instant createdAt,
    Instant updatedAt) {}
