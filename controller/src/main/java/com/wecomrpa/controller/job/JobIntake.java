package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.Date;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Puts new jobs in the queue: idempotent by job id, and at once CANCELLED for a group confirmed gone. */
public final class JobIntake {
  /** Jobs one intake adds from which PostgreSQL's statistics of the table are brought up to date at once. */
  static final int ANALYZE_AFTER = 1_000;

  /** Inserts jobs whose id is new; a job already there is left as it is (expansion is idempotent). */
  /**
   * Jobs queued under keys that start with {@code prefix}, whatever became of them: a job's key
   * says what it is for (e.g. the nth auto-reply of a rule to one customer on one day), so a caller
   * counts what it queued before without a column of its own.
   */
  public long countKeyed(Connection c, String prefix) throws SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE id LIKE ? ESCAPE '\\'", prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
  }

  /** Whether the job exists and has not ended (queued, leased, running or waiting to be verified). */
  public boolean open(Connection c, String id) throws SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE id = ? AND state IN ('QUEUED', 'LEASED', 'RUNNING', 'UNKNOWN')", id) > 0;
  }

  public List<NewJob> enqueue(Connection c, List<NewJob> jobs, Instant now) throws SQLException {
    List<NewJob> fresh = new ArrayList<>();
    List<Object[]> rows = new ArrayList<>();
    java.util.Set<String> existing = existingIds(c, jobs);
    // A group an operator confirmed gone gets nothing more: its new jobs end at once, saying why.
    java.util.Set<String> gone = new java.util.HashSet<>(Sql.list(c, "SELECT id FROM chat_groups WHERE reachability = 'gone'", rs -> rs.getString(1)));
    // A group held (unreachable, or by an operator) takes new jobs that wait with it, saying why.
    java.util.Map<String, String> held = new java.util.HashMap<>();
    Sql.list(c, "SELECT id, unreachable_reason FROM chat_groups WHERE reachability = 'unreachable'", rs -> new String[] {rs.getString(1), rs.getString(2)})
        .forEach(g -> held.put(g[0], g[1] == null ? "unreachable" : g[1]));
    for (NewJob j : jobs) {
      if (!existing.contains(j.id())) {
        fresh.add(j);
        boolean toGone = j.groupId() != null && gone.contains(j.groupId());
        String heldWhy = j.groupId() == null || toGone ? null : held.get(j.groupId());
        String reason = toGone ? "group confirmed gone" : heldWhy == null ? null : JobRows.truncate("held: group " + j.groupId() + " " + heldWhy, 1000);
        rows.add(
            new Object[] {
              j.id(), j.sourceKind(), j.sourceId(), j.accountId(), j.groupId(), j.customerId(), j.action(),
              JobRows.writeParams(j.params()), (toGone ? JobState.CANCELLED : JobState.QUEUED).name(), reason, j.priority(), JobRows.millis(j.notBefore()), JobRows.millis(j.expiresAt()),
              j.planDay() == null ? null : Date.valueOf(j.planDay()), now.toEpochMilli(), now.toEpochMilli(),
              j.notBefore() == null ? now.toEpochMilli() : j.notBefore().toEpochMilli(), j.touch(), j.guard(), heldWhy == null ? null : Reachability.HOLDS
            });
      }
    }
    boolean postgres = com.wecomrpa.controller.store.Dialect.of(c) == com.wecomrpa.controller.store.Dialect.POSTGRESQL;
    if (postgres) {
      insertAsArrays(c, rows);
    } else {
      Sql.batch(c, "INSERT INTO jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
    }
    if (rows.size() >= ANALYZE_AFTER && postgres
        && rows.size() > Sql.count(c, "SELECT GREATEST(CAST(reltuples AS BIGINT), 0) FROM pg_class WHERE oid = 'jobs'::regclass")) {
      // The planner's picture of the table must follow a jump in its size: a first broadcast of ten
      // thousand jobs read as a near-empty table sent every lease update down a state index through
      // hundreds of rows (1,000 buffers a claim) instead of the primary key, until autovacuum's next
      // analyze a minute later. Only an intake larger than the rows the planner counts (the table at
      // least doubles) asks, so a broadcast stored 5,000 jobs at a time analyzes once, not per slice.
      // Our own uncommitted rows count as live to it.
      Sql.update(c, "ANALYZE jobs");
    }
    return fresh;
  }

  private static final String COLUMNS = "id, source_kind, source_id, account_id, group_id, customer_id, action, params, state, reason, priority,"
      + " not_before, expires_at, plan_day, created_at, updated_at, due_at, touch, guard, decided_by";

  /** Each column's array type, in the order of {@link #COLUMNS}. */
  private static final String[] ARRAY_TYPES = {"varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "text", "varchar", "varchar",
      "int4", "int8", "int8", "date", "int8", "int8", "int8", "varchar", "varchar", "varchar"};

  private static final String INSERT_ARRAYS = "INSERT INTO jobs (" + COLUMNS + ") SELECT " + COLUMNS + " FROM " + Sql.unnest(ARRAY_TYPES)
      + " WITH ORDINALITY AS u(" + COLUMNS + ", n) ORDER BY n";

  /** Rows a statement of arrays carries: a few megabytes of parameters at most. */
  private static final int ARRAY_ROWS = 5_000;

  /**
   * PostgreSQL: the rows as one array a column, unnested in one statement whose text never changes.
   * A multi-row VALUES list of 2,048 rows (what the driver rewrote a batch into) was planned at each
   * call: in bench dispatch half of the intake's time on the server (1.1 s of 2.1 s a run) went to
   * planning it. The rows keep their order, so arrival order ({@code seq}) is the order given.
   */
  private static void insertAsArrays(Connection c, List<Object[]> rows) throws SQLException {
    for (int start = 0; start < rows.size(); start += ARRAY_ROWS) {
      try (java.sql.PreparedStatement ps = c.prepareStatement(INSERT_ARRAYS)) {
        Sql.bindColumns(c, ps, ARRAY_TYPES, rows.subList(start, Math.min(rows.size(), start + ARRAY_ROWS)));
        ps.executeUpdate();
      }
    }
  }

  /** Which of these jobs are already stored, asked a thousand ids at a time rather than one by one. */
  private static java.util.Set<String> existingIds(Connection c, List<NewJob> jobs) throws SQLException {
    java.util.Set<String> found = new java.util.HashSet<>();
    com.wecomrpa.controller.store.Dialect dialect = com.wecomrpa.controller.store.Dialect.of(c);
    for (int from = 0; from < jobs.size(); from += 1000) {
      List<NewJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + 1000));
      List<Object> args = new java.util.ArrayList<>();
      String among = dialect.oneOf("id", chunk.stream().map(NewJob::id).toList(), args);
      found.addAll(Sql.list(c, "SELECT id FROM jobs WHERE " + among, rs -> rs.getString(1), args.toArray()));
    }
    return found;
  }
}
