package com.wecomrpa.protocol;

import java.time.Instant;

/**
 * The result of one attempt. {@code reportId} makes re-sending harmless: the controller acknowledges
 * a report it already applied without applying it twice. {@code screenshotPng} is base64, present
 * when a step failed. {@code riskSignal} names a risk state seen on screen ("too-frequent",
 * "restricted", "logged-out", "captcha"): the controller stops the account at once. {@code
 * evidence} says what a verify-before-resend found (the message already in the chat).
 */
public record AgentJobReport(
    String reportId,
    String jobId,
    long fencingToken,
    String deviceId,
    Outcome outcome,
    String failedStep,
    String error,
    String screenshotPng,
    Instant startedAt,
    Instant finishedAt,
    String scriptVersion,
    String riskSignal,
    String evidence)
    implements Message {}
