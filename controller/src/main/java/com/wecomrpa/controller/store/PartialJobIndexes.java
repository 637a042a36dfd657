package com.wecomrpa.controller.store;

import java.util.List;

/**
 * Schema version 28: fewer index entries written per job state change. Every lease and every report
 * changes a job's state and updated_at, so PostgreSQL cannot update the row in place (no HOT update)
 * and adds an entry to every index of {@code jobs}: eleven for the lease and eleven for the report,
 * against two of each for a bare queue. The claim, due-time, controller-call and window indexes only
 * serve jobs still waiting; on PostgreSQL they become partial, so a leased or finished row is not
 * entered in them, and lease expiry and the skipped reads get small partial indexes of their own.
 * Two indexes that repeat the start of another go too: {@code jobs_group} ({@code jobs_plan_day}
 * begins with the group) and {@code executions_job} (the execution's unique job and lease token
 * begins with the job). The embedded store is left as it is: it has no partial indexes, and its
 * foreign keys stand on those two.
 */
final class PartialJobIndexes extends PostgresMigration {
  /** The states a claim, a due-time read and a controller call look at. */
  private static final String WAITING = "state IN ('QUEUED', 'UNKNOWN')";

  PartialJobIndexes() {
    super(28, "partial job indexes", List.of(
        "DROP INDEX jobs_group",
        "DROP INDEX executions_job",
        "DROP INDEX jobs_claim",
        "DROP INDEX jobs_due",
        "DROP INDEX jobs_action_due",
        "DROP INDEX jobs_windows",
        "CREATE INDEX jobs_claim ON jobs (account_id, state, priority DESC, due_at, seq) WHERE " + WAITING,
        "CREATE INDEX jobs_due ON jobs (state, due_at, account_id) WHERE " + WAITING,
        "CREATE INDEX jobs_action_due ON jobs (action, state, due_at) WHERE " + WAITING,
        // Window expiry reads queued jobs past their window; lease expiry the leased and running ones.
        "CREATE INDEX jobs_windows ON jobs (expires_at) WHERE state = 'QUEUED'",
        "CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state IN ('LEASED', 'RUNNING')",
        // The skipped jobs a plan may re-rank, the metrics' and trends' skip counts.
        "CREATE INDEX jobs_skipped ON jobs (due_at) WHERE state = 'SKIPPED'"));
  }
}
