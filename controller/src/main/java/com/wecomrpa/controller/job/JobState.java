package com.wecomrpa.controller.job;

/** Where a job is in its life; see docs/concepts.md for the transitions. */
public enum JobState {
  QUEUED,
  LEASED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  UNKNOWN,
  SKIPPED,
  CANCELLED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELLED;
  }
}
