package com.wecomrpa.protocol;

/**
 * What a failed attempt failed on, so the failure lands there: the target (group or customer not
 * found), the account (a risk state on screen), or the device (session dead, app gone). A failure
 * nobody classified counts as the device's, as a screen the script cannot read is first its problem.
 * {@code GONE}: what the job acts on is no longer there (the member to remove has left, the friend
 * request was withdrawn or already accepted): nothing to do, nobody to blame, no retry.
 * {@code CONTENT}: the platform refused what was sent (a filtered word): nothing went out, and the
 * same content would be refused again, so no retry; neither the device's nor the account's fault.
 */
public enum FailureKind {
  TARGET,
  ACCOUNT,
  DEVICE,
  GONE,
  CONTENT
}
