package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.store.TestStores;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Successes reported at the same moment: each job ends SUCCEEDED once, its execution holds its own
 * report, and a report sent twice is applied once. On PostgreSQL the reports that wait while one is
 * being settled are settled together, in one statement: the first turn's statement is held up
 * (another transaction locks the table its statement reads) until every report has been handed in.
 */
class SuccessesTogetherTest {
  @TempDir Path dir;

  @Test
  void successesReportedAtOnceEachEndTheirJobOnceWithTheirOwnReport() throws Exception {
    int jobs = 24;
    List<ControllerJobOffer> offers = new ArrayList<>();
    ExecutorService reporters = Executors.newFixedThreadPool(jobs + 2);
    ExecutorService holder = Executors.newSingleThreadExecutor();
    try (StoreFixture store = new StoreFixture(dir).seed(jobs)) {
      Instant start = Instant.now();
      for (int i = 0; i < jobs; i++) {
        // One claim every ten minutes of business time: the account's pace and hour allow each.
        Instant now = start.plus(Duration.ofMinutes(10L * i));
        offers.add(store.jobs.claims().claimNext("agent-1", "dev-" + i, "acc-1", now, now, Duration.ofHours(12), 3).orElseThrow());
      }
      Instant reportedAt = start.plus(Duration.ofHours(5));
      List<AgentJobReport> reports = new ArrayList<>();
      for (ControllerJobOffer o : offers) {
        reports.add(new AgentJobReport("r-" + o.fencingToken(), o.jobId(), o.fencingToken(), o.deviceId(), Outcome.SUCCEEDED, null, null, null,
            reportedAt.minusSeconds(20), reportedAt.minusSeconds(1), "wecom-sim@" + o.fencingToken(), null, null, null));
      }
      // Two reports sent twice (an agent that had no acknowledgement yet).
      reports.add(reports.get(3));
      reports.add(reports.get(17));

      CountDownLatch locked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<?> lock = null;
      if (TestStores.postgres()) {
        lock = holder.submit(() -> store.db.inTransaction(c -> {
          Sql.update(c, "LOCK TABLE webhook_subscriptions IN ACCESS EXCLUSIVE MODE");
          locked.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        }));
        assertThat(locked.await(30, TimeUnit.SECONDS)).as("the table locked").isTrue();
      }
      CyclicBarrier together = new CyclicBarrier(reports.size());
      List<Future<ReportVerdict>> verdicts = new ArrayList<>();
      for (AgentJobReport r : reports) {
        verdicts.add(reporters.submit(() -> {
          together.await(30, TimeUnit.SECONDS);
          return store.jobs.reports().applyReport("agent-1", r, null, reportedAt, reportedAt, 3);
        }));
      }
      if (lock != null) {
        // The first turn's statement waits for the lock; every other report waits for its turn.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.jobs.reports().successes().unanswered() < reports.size() && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        assertThat(store.jobs.reports().successes().unanswered()).as("reports handed in, none answered").isEqualTo(reports.size());
        release.countDown();
        lock.get(30, TimeUnit.SECONDS);
      }
      List<ReportVerdict> got = new ArrayList<>();
      for (Future<ReportVerdict> f : verdicts) {
        got.add(f.get(60, TimeUnit.SECONDS));
      }

      assertThat(got).as("every report acknowledged").allMatch(ReportVerdict::accepted);
      assertThat(got.stream().filter(v -> "duplicate report, already applied".equals(v.reason())).count()).as("the two sent twice: %s", got).isEqualTo(2);
      for (ControllerJobOffer o : offers) {
        Job after = store.jobs.queries().find(o.jobId()).orElseThrow();
        assertThat(after.state()).as(o.jobId()).isEqualTo(JobState.SUCCEEDED);
        assertThat(after.attempts()).as(o.jobId()).isEqualTo(1);
        List<String> execution = store.db.inTransaction(c -> Sql.list(c,
            "SELECT outcome, report_id, script_version, started_at, finished_at FROM executions WHERE job_id = ? AND lease_token = ?",
            rs -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4) + " " + rs.getLong(5), o.jobId(), o.fencingToken()));
        assertThat(execution).as(o.jobId()).containsExactly("SUCCEEDED r-" + o.fencingToken() + " wecom-sim@" + o.fencingToken() + " "
            + reportedAt.minusSeconds(20).toEpochMilli() + " " + reportedAt.minusSeconds(1).toEpochMilli());
      }
      if (TestStores.postgres()) {
        assertThat(store.jobs.reports().successes().statementsTogether()).as("statements that settled several reports").isGreaterThanOrEqualTo(1);
      }
    } finally {
      reporters.shutdownNow();
      holder.shutdownNow();
    }
  }
}
