package com.wecomrpa.controller.store;

import java.util.List;

/**
 * Schema version 29: a report's write of its execution row in place, and no index entry for a job
 * without a customer. A report sets the execution's outcome, times, report id and script version;
 * with {@code script_version} indexed, PostgreSQL could never update the row in place (HOT), so
 * each report added an entry to all four of the table's indexes. The index served one console read
 * (every execution of a client kind, by version), which reads nearly all rows of that kind anyway.
 * The table keeps a fifth of each page free for the new versions of its rows. And
 * {@code jobs_customer} held every job, though only a customer's jobs have one: partial, a group
 * post writes no entry to it at intake, lease or report. A group's day row is written by up to a
 * day's posts right after it is made: its pages keep room for them too (one update in eight was
 * not in place in the bench). The embedded store is left as it is.
 */
final class LeanExecutions extends PostgresMigration {
  LeanExecutions() {
    super(29, "lean executions", List.of(
        "DROP INDEX executions_script_version",
        "ALTER TABLE executions SET (fillfactor = 80)",
        "ALTER TABLE group_day_usage SET (fillfactor = 70)",
        "DROP INDEX jobs_customer",
        "CREATE INDEX jobs_customer ON jobs (customer_id) WHERE customer_id IS NOT NULL"));
  }
}
