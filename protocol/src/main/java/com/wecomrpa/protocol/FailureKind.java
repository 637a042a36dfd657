package com.wecomrpa.protocol;

/**
 * What a failed attempt failed on, so the failure lands there: the target (group or customer not
 * found), the account (a risk state on screen), or the device (session dead, app gone). A failure
 * nobody classified counts as the device's, as a screen the script cannot read is first its problem.
 */
public enum FailureKind {
  TARGET,
  ACCOUNT,
  DEVICE
}
