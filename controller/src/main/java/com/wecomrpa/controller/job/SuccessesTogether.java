package com.wecomrpa.controller.job;

import com.wecomrpa.controller.outbox.EventOutbox;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.AgentJobReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * PostgreSQL: plain successes that arrive while another is being settled are settled together, in
 * one statement that is its own transaction (each job and its execution, as one alone would be).
 * A report's statement and its commit cost the server about as much again as its two row updates;
 * in a burst a dozen reports wait for the one before them, and now share both. Nobody waits for a
 * batch to fill: a report with a turn free settles at once, and those that came meanwhile go with
 * the next turn, together. Whoever holds a turn settles everyone waiting, its own report among them.
 */
final class SuccessesTogether {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SuccessesTogether.class);

  /**
   * Statements settling reports at once. One at a time left the host a fifth idle in bench
   * dispatch's burst (the claims' lanes waited for their devices' reports); two, three and six measured
   * alike.
   */
  static final int TURNS = 3;

  /** Reports one statement settles at most. */
  static final int MOST = 64;

  interface Alone {
    /** One report settled by itself, as {@link JobReports} does: empty where it is not the job's current lease. */
    Optional<ReportVerdict> settle(Connection c, AgentJobReport r, String screenshotPath, Instant now) throws SQLException;
  }

  private record Pending(AgentJobReport report, String screenshotPath, Instant now, CompletableFuture<Optional<ReportVerdict>> done) {}

  private final Database db;
  private final Alone alone;
  private final Semaphore turns = new Semaphore(TURNS);
  private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();

  /** Statements that settled more than one report (for tests and metrics). */
  private final java.util.concurrent.atomic.AtomicLong together = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger();

  SuccessesTogether(Database db, Alone alone) {
    this.db = db;
    this.alone = alone;
  }

  /**
   * The report settled, alone or with others: its verdict, or empty and nothing changed where it is
   * not its job's current lease, someone subscribes to job events, or another report of the same job
   * was settled in the same statement (the full path then decides, as for a duplicate).
   */
  Optional<ReportVerdict> settle(AgentJobReport r, String screenshotPath, Instant now) {
    Pending mine = new Pending(r, screenshotPath, now, new CompletableFuture<>());
    unanswered.incrementAndGet();
    waiting.add(mine);
    try {
      turns.acquireUninterruptibly();
      try {
        // A report a turn before settled is done already; one another turn has taken is not in the
        // queue any more, and is done when that turn's statement is; otherwise this turn settles it.
        while (!mine.done().isDone()) {
          List<Pending> batch = new ArrayList<>();
          for (Pending p; batch.size() < MOST && (p = waiting.poll()) != null; ) {
            batch.add(p);
          }
          if (batch.isEmpty()) {
            break;
          }
          try {
            settleAll(batch);
          } catch (Throwable t) {
            // Whoever waits for a report of this batch is answered, whatever went wrong here.
            batch.forEach(p -> p.done().completeExceptionally(t));
            throw t;
          }
        }
      } finally {
        turns.release();
      }
      return mine.done().join();
    } finally {
      unanswered.decrementAndGet();
    }
  }

  /** Reports handed in and not yet answered: waiting for their turn or being settled. */
  int unanswered() {
    return unanswered.get();
  }

  /** How many statements settled more than one report. */
  long statementsTogether() {
    return together.get();
  }

  private void settleAll(List<Pending> batch) {
    if (batch.size() == 1) {
      Pending p = batch.get(0);
      try {
        p.done().complete(db.eachStatementCommitted(c -> alone.settle(c, p.report(), p.screenshotPath(), p.now())));
      } catch (RuntimeException e) {
        p.done().completeExceptionally(e);
      }
      return;
    }
    // One report a job in the statement: a second of the same job is left to the full path.
    List<Pending> together = new ArrayList<>();
    Set<String> jobs = new HashSet<>();
    for (Pending p : batch) {
      if (jobs.add(p.report().jobId())) {
        together.add(p);
      } else {
        p.done().complete(Optional.empty());
      }
    }
    // Rows locked in one order, so two such statements never wait on each other in a circle.
    together.sort(java.util.Comparator.comparing(p -> p.report().jobId()));
    Map<String, String> settled;
    try {
      settled = db.eachStatementCommitted(c -> settleTogether(c, together));
      this.together.incrementAndGet();
    } catch (RuntimeException e) {
      // The statement changed nothing: each report goes alone, as it would have.
      LOG.debug("{} reports not settled together, each goes alone: {}", together.size(), e.toString());
      for (Pending p : together) {
        try {
          p.done().complete(db.eachStatementCommitted(c -> alone.settle(c, p.report(), p.screenshotPath(), p.now())));
        } catch (RuntimeException alsoAlone) {
          p.done().completeExceptionally(alsoAlone);
        }
      }
      return;
    }
    for (Pending p : together) {
      String account = settled.get(p.report().jobId());
      p.done().complete(account == null ? Optional.empty() : Optional.of(ReportVerdict.applied(JobState.SUCCEEDED, account, null)));
    }
  }

  /** The columns given for each report, with their array types, in the order of {@link #SQL}'s unnest. */
  private static final String[] TYPES = {"varchar", "int8", "int8", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "int8", "int8"};

  private static final String SQL = "WITH r AS (SELECT * FROM " + Sql.unnest(TYPES)
      + " AS r(job_id, token, at, outcome, failed_step, error, screenshot, report_id, script_version, evidence, started_at, finished_at)),"
      + " settled AS (UPDATE jobs j SET state = 'SUCCEEDED', reason = NULL, decided_by = NULL, lease_expires_at = NULL, updated_at = r.at FROM r"
      + " WHERE j.id = r.job_id AND j.lease_token = r.token AND j.state IN ('LEASED', 'RUNNING') AND " + EventOutbox.NO_SUBSCRIBERS + " RETURNING j.id, j.account_id),"
      + " ran AS (UPDATE executions e SET outcome = r.outcome, failed_step = r.failed_step, error = r.error, screenshot = r.screenshot, report_id = r.report_id,"
      + " script_version = r.script_version, evidence = r.evidence, started_at = COALESCE(e.started_at, r.started_at), finished_at = r.finished_at"
      + " FROM r JOIN settled s ON s.id = r.job_id WHERE e.job_id = r.job_id AND e.lease_token = r.token)"
      + " SELECT id, account_id FROM settled";

  /** Settles {@code reports} (one a job) in one statement; answers each settled job's account by job id. */
  private static Map<String, String> settleTogether(Connection c, List<Pending> reports) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    for (Pending p : reports) {
      AgentJobReport r = p.report();
      rows.add(new Object[] {r.jobId(), r.fencingToken(), p.now().toEpochMilli(), r.outcome().name(), r.failedStep(), JobRows.truncate(r.error(), 4000), p.screenshotPath(),
          r.reportId(), r.scriptVersion(), JobRows.truncate(r.evidence(), 1000), JobRows.millis(r.startedAt()),
          JobRows.millis(r.finishedAt() == null ? p.now() : r.finishedAt())});
    }
    Map<String, String> settled = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(SQL)) {
      Sql.bindColumns(c, ps, TYPES, rows);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          settled.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return settled;
  }
}
