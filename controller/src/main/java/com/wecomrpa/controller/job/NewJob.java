package com.wecomrpa.controller.job;

import java.util.Map;

/** A job to enqueue; {@code id} is its idempotency key. */
public record NewJob(
    String id, String sourceKind, String sourceId, String accountId, String groupId, String action, Map<String, String> params, int priority) {}
