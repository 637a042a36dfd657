package com.wecomrpa.controller.admission;

import java.time.Instant;

/**
 * What the rules see of a job about to be claimed. {@code verifying}: the job's last attempt may
 * have sent, so the claim only checks the client and takes no quota. {@code groupPost}: it spends
 * one of its group's posts of the day.
 */
public record Candidate(String accountId, String groupId, String action, boolean verifying, Instant expiresAt, boolean groupPost) {}
