package com.wecomrpa.protocol;

import java.time.Instant;

/**
 * The result of one attempt. {@code reportId} makes re-sending harmless: the controller acknowledges
 * a report it already applied without applying it twice. {@code screenshotPng} is base64, present
 * when a step failed. {@code riskSignal} names a risk state seen on screen ("too-frequent",
 * "restricted", "logged-out", "captcha"): the controller stops the account at once. {@code
 * evidence} says what a verify-before-resend found (the message already in the chat), or what the
 * agent's journal says about an earlier attempt. {@code failure} says what a failure landed on.
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
    String evidence,
    FailureKind failure)
    implements Message, Kept {
  @Override
  public String keptId() {
    return reportId;
  }

  /** The signal a script gives when the group or customer it looks for is not there. */
  public static final String TARGET_MISSING = "target-missing";

  /** The signal a script gives when what the job acts on (a member, a friend request) is no longer there. */
  public static final String TARGET_GONE = "target-gone";

  /** The signal a script gives when the platform refused the content (nothing went out). */
  public static final String CONTENT_REFUSED = "content-refused";

  /**
   * A {@code failedStep} starting with this names a fault of the device, not of the job (its
   * session would not open, its scripts could not be fetched): nothing was touched, the job waits
   * for a working device without spending an attempt, and the failure counts against the device.
   */
  public static final String DEVICE_FAULT = "device:";

  public boolean deviceFault() {
    return outcome == Outcome.FAILED && failedStep != null && failedStep.startsWith(DEVICE_FAULT);
  }

  /** Nothing to act on any more: the job ends without a retry. */
  public boolean targetGone() {
    return outcome == Outcome.FAILED && failure == FailureKind.GONE;
  }

  /** The platform refused the content: the job ends FAILED without a retry, blaming nobody else. */
  public boolean contentRefused() {
    return outcome == Outcome.FAILED && failure == FailureKind.CONTENT;
  }

  /** The group or customer was not found: the target's problem, not the device's. */
  public boolean targetMissing() {
    return outcome == Outcome.FAILED && failure == FailureKind.TARGET;
  }
}
