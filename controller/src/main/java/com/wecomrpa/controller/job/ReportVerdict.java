package com.wecomrpa.controller.job;

/**
 * What the controller made of a report: applied, a harmless duplicate of one already applied, or
 * refused because its lease is no longer the job's current one. {@code heldGroup} names the group
 * a target-missing report made unreachable (its jobs are held, the device is not to blame).
 */
public record ReportVerdict(boolean accepted, String reason, JobState newState, String accountId, String accountStatus, String heldGroup) {
  /** Applied; {@code accountStatus} is set when a risk signal changed the job's account. */
  public static ReportVerdict applied(JobState state, String accountId, String accountStatus) {
    return new ReportVerdict(true, null, state, accountId, accountStatus, null);
  }

  /** Applied: the job's group was not found, and its jobs wait for an operator. */
  public static ReportVerdict targetHeld(String accountId, String groupId) {
    return new ReportVerdict(true, "group " + groupId + " unreachable: its jobs are held", JobState.QUEUED, accountId, null, groupId);
  }

  public static ReportVerdict duplicate(JobState state) {
    return new ReportVerdict(true, "duplicate report, already applied", state, null, null, null);
  }

  public static ReportVerdict stale(String why) {
    return new ReportVerdict(false, why, null, null, null, null);
  }
}
