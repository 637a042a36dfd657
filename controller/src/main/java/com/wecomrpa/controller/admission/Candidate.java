package com.wecomrpa.controller.admission;

import java.time.Instant;

/**
 * What the rules see of a job about to be claimed. {@code verifying}: the job's last attempt may
 * have sent, so the claim only checks the client and takes no quota. {@code groupPost}: it spends
 * one of its group's posts of the day. {@code touch} and {@code guard}: a private message's
 * cadence and its plan step's conditions.
 */
public record Candidate(
    String accountId, String groupId, String action, boolean verifying, Instant expiresAt, boolean groupPost, String jobId, String customerId,
    String sourceKind, String sourceId, String touch, String guard) {

  /** A job that is none of a customer's: no cadence, no conditions. */
  public Candidate(String accountId, String groupId, String action, boolean verifying, Instant expiresAt, boolean groupPost) {
    this(accountId, groupId, action, verifying, expiresAt, groupPost, null, null, null, null, null, null);
  }
}
