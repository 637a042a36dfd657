package com.wecomrpa.controller.job;

import java.time.Instant;

/** One attempt at a job on one device, as the controller recorded it. */
public record Execution(
    long id,
    String jobId,
    int attempt,
    long leaseToken,
    String agentId,
    String deviceId,
    Instant leasedAt,
    Instant startedAt,
    Instant finishedAt,
    String outcome,
    String failedStep,
    String error,
    boolean hasScreenshot,
    String scriptVersion,
    String evidence,
    String note) {}
