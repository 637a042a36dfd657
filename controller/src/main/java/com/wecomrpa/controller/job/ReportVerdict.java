package com.wecomrpa.controller.job;

/**
 * What the controller made of a report: applied, a harmless duplicate of one already applied, or
 * refused because its lease is no longer the job's current one.
 */
public record ReportVerdict(boolean accepted, String reason, JobState newState) {
  public static ReportVerdict applied(JobState state) {
    return new ReportVerdict(true, null, state);
  }

  public static ReportVerdict duplicate(JobState state) {
    return new ReportVerdict(true, "duplicate report, already applied", state);
  }

  public static ReportVerdict stale(String why) {
    return new ReportVerdict(false, why, null);
  }
}
