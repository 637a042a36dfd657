package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent that re-sends a report it has no acknowledgement for may have the first still being
 * applied: the two meet at the job's lock. Whichever waits must find the other's report on the
 * execution and change nothing, whatever the report said (a success ends the job, a failure
 * re-queues it and gives its quota back: neither may happen twice).
 */
class ReportTwiceAtOnceTest {
  @TempDir Path dir;

  @Test
  void theSameReportAppliedTwiceAtOnceChangesTheJobOnceAndIsADuplicateTheOtherTime() throws Exception {
    // A failed job is queued again and taken by a later claim: its retry is raced the same way.
    int jobs = 12;
    ExecutorService two = Executors.newFixedThreadPool(2);
    try (StoreFixture store = new StoreFixture(dir).seed(jobs)) {
      // Business time from once the jobs are due, one claim every ten minutes.
      Instant start = Instant.now();
      for (int i = 0; i < jobs; i++) {
        Instant now = start.plus(Duration.ofMinutes(10L * i));
        ControllerJobOffer offer = store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3).orElseThrow();
        Outcome outcome = i % 2 == 0 ? Outcome.SUCCEEDED : Outcome.FAILED;
        AgentJobReport report = new AgentJobReport("r-" + offer.fencingToken(), offer.jobId(), offer.fencingToken(), "dev-1", outcome,
            outcome == Outcome.FAILED ? "open-group" : null, outcome == Outcome.FAILED ? "not opened" : null, null, now, now, "wecom-sim@1", null, null, null);
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<ReportVerdict>> both = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
          both.add(two.submit(() -> {
            together.await(10, TimeUnit.SECONDS);
            return store.jobs.reports().applyReport("agent-1", report, null, now, now, 3);
          }));
        }
        List<ReportVerdict> verdicts = new ArrayList<>();
        for (Future<ReportVerdict> f : both) {
          verdicts.add(f.get(30, TimeUnit.SECONDS));
        }

        assertThat(verdicts).as("job %s: both acknowledged", offer.jobId()).allMatch(ReportVerdict::accepted);
        assertThat(verdicts.stream().filter(v -> "duplicate report, already applied".equals(v.reason())).count())
            .as("job %s (%s): one applied, one found it applied: %s", offer.jobId(), outcome, verdicts).isEqualTo(1);
        Job after = store.jobs.queries().find(offer.jobId()).orElseThrow();
        assertThat(after.state()).as(offer.jobId()).isEqualTo(outcome == Outcome.SUCCEEDED ? JobState.SUCCEEDED : JobState.QUEUED);
        assertThat(after.attempts()).as("%s: this attempt counted once", offer.jobId()).isEqualTo(offer.attempt());
        long executions = store.db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM executions WHERE job_id = ? AND report_id = ?", offer.jobId(), report.reportId()));
        assertThat(executions).as(offer.jobId()).isEqualTo(1);
        long postsTaken = store.db.inTransaction(c -> Sql.count(c, "SELECT COALESCE(SUM(used), 0) FROM group_day_usage WHERE group_id = ?", after.groupId()));
        assertThat(postsTaken).as("%s: the group's post of the day kept once, or given back once", offer.jobId()).isEqualTo(outcome == Outcome.SUCCEEDED ? 1 : 0);
      }
    } finally {
      two.shutdownNow();
    }
  }
}
