package com.wecomrpa.controller.job;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * A job to enqueue; {@code id} is its idempotency key. {@code notBefore} is when it is due, {@code
 * expiresAt} the end of its window, {@code planDay} the calendar day a planned group post counts
 * against (a broadcast has no window and no plan day, and is due now or at its send time). {@code
 * touch} and {@code guard}: see
 * {@link Job}.
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
    LocalDate planDay,
    String touch,
    String guard) {

  /** A private message that spends its customer's cadence. */
  public static final String MARKETING = "marketing";
  /** A private message an admin marked as transactional: it spends no cadence. */
  public static final String TRANSACTIONAL = "transactional";

  /** A job with no cadence and no conditions. */
  public NewJob(String id, String sourceKind, String sourceId, String accountId, String groupId, String customerId, String action,
      Map<String, String> params, int priority, Instant notBefore, Instant expiresAt, LocalDate planDay) {
    this(id, sourceKind, sourceId, accountId, groupId, customerId, action, params, priority, notBefore, expiresAt, planDay, null, null);
  }

  /** A job due now with no window. */
  public static NewJob now(String id, String sourceKind, String sourceId, String accountId, String groupId, String action, Map<String, String> params) {
    return dueAt(null, id, sourceKind, sourceId, accountId, groupId, action, params);
  }

  /** A job with no window due at {@code notBefore} (null: now), as a group broadcast makes. */
  public static NewJob dueAt(Instant notBefore, String id, String sourceKind, String sourceId, String accountId, String groupId, String action,
      Map<String, String> params) {
    return new NewJob(id, sourceKind, sourceId, accountId, groupId, null, action, params, 0, notBefore, null, null);
  }
}
