package com.wecomrpa.controller.job;

/**
 * What the controller made of a report: applied, a harmless duplicate of one already applied, or
 * refused because its lease is no longer the job's current one.
 */
public record ReportVerdict(boolean accepted, String reason, JobState newState, String accountId, String accountStatus) {
  /** Applied; {@code accountStatus} is set when a risk signal changed the job's account. */
  public static ReportVerdict applied(JobState state, String accountId, String accountStatus) {
    return new ReportVerdict(true, null, state, accountId, accountStatus);
  }

  public static ReportVerdict duplicate(JobState state) {
    return new ReportVerdict(true, "duplicate report, already applied", state, null, null);
  }

  public static ReportVerdict stale(String why) {
    return new ReportVerdict(false, why, null, null, null);
  }
}
