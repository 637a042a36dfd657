package com.wecomrpa.controller.job;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * A job to enqueue; {@code id} is its idempotency key. {@code notBefore} is when it is due, {@code
 * expiresAt} the end of its window, {@code planDay} the calendar day a planned group post counts
 * against (all three null for a broadcast: due now, no window).
 */
public record NewJob(
    String id,
    String sourceKind,
    String sourceId,
    String accountId,
    String groupId,
    String customerId,
    String action,
    Map<String, String> params,
    int priority,
    Instant notBefore,
    Instant expiresAt,
    LocalDate planDay) {

  /** A job due now with no window, as a broadcast makes. */
  public static NewJob now(String id, String sourceKind, String sourceId, String accountId, String groupId, String action, Map<String, String> params) {
    return new NewJob(id, sourceKind, sourceId, accountId, groupId, null, action, params, 0, null, null, null);
  }
}
