package com.wecomrpa.controller.job;

import java.time.Instant;
import java.util.Map;

/**
 * One action on one target, e.g. one broadcast's post to one group, or one SOP step for one
 * customer. {@code notBefore} is when it is due and {@code expiresAt} the end of its window. A job
 * that was skipped says which claim rule decided ({@code decidedBy}) and why ({@code reason}); one
 * that waits says which rule holds it, in words ({@code waitNote}), and, when known, until when,
 * while its {@code reason} keeps why it was queued again (a risk signal, a device fault, a retry).
 * {@code touch} says whether a private message spends its customer's cadence ({@code marketing});
 * {@code guard} carries its plan step's conditions to the claim.
 */
public record Job(
    String id,
    String sourceKind,
    String sourceId,
    String accountId,
    String groupId,
    String customerId,
    String action,
    Map<String, String> params,
    JobState state,
    String reason,
    int attempts,
    int priority,
    Instant notBefore,
    Instant expiresAt,
    long leaseToken,
    Instant leaseExpiresAt,
    String agentId,
    String deviceId,
    Instant createdAt,
    Instant updatedAt,
    String decidedBy,
    Instant waitUntil,
    String waitNote,
    String touch,
    String guard,
    Instant verifySince) {

  /** The same job, saying in words what it waits for. */
  public Job withWaitNote(String note) {
    return new Job(id, sourceKind, sourceId, accountId, groupId, customerId, action, params, state, reason, attempts, priority, notBefore, expiresAt,
        leaseToken, leaseExpiresAt, agentId, deviceId, createdAt, updatedAt, decidedBy, waitUntil, note, touch, guard, verifySince);
  }
}
