package com.wecomrpa.controller.store;

import java.sql.Statement;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

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
final class PartialJobIndexes implements JavaMigration {
  /** The states a claim, a due-time read and a controller call look at. */
  private static final String WAITING = "state IN ('QUEUED', 'UNKNOWN')";

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("28");
  }

  @Override
  public String getDescription() {
    return "partial job indexes";
  }

  @Override
  public Integer getChecksum() {
    return 28;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws Exception {
    if (Dialect.of(context.getConnection()) != Dialect.POSTGRESQL) {
      return;
    }
    try (Statement s = context.getConnection().createStatement()) {
      s.execute("DROP INDEX jobs_group");
      s.execute("DROP INDEX executions_job");
      for (String index : new String[] {"jobs_claim", "jobs_due", "jobs_action_due", "jobs_windows"}) {
        s.execute("DROP INDEX " + index);
      }
      s.execute("CREATE INDEX jobs_claim ON jobs (account_id, state, priority DESC, due_at, seq) WHERE " + WAITING);
      s.execute("CREATE INDEX jobs_due ON jobs (state, due_at, account_id) WHERE " + WAITING);
      s.execute("CREATE INDEX jobs_action_due ON jobs (action, state, due_at) WHERE " + WAITING);
      // Window expiry reads queued jobs past their window; lease expiry the leased and running ones.
      s.execute("CREATE INDEX jobs_windows ON jobs (expires_at) WHERE state = 'QUEUED'");
      s.execute("CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state IN ('LEASED', 'RUNNING')");
      // The skipped jobs a plan may re-rank, the metrics' and trends' skip counts.
      s.execute("CREATE INDEX jobs_skipped ON jobs (due_at) WHERE state = 'SKIPPED'");
    }
  }
}
