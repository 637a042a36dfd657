package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.rollout.JdbcScriptStore;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.store.TestStores;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What schema version 29 keeps while it writes less: the console still counts each script version's
 * executions by outcome (its index is gone on PostgreSQL), a report writes its execution row in place
 * there (no index names a column it sets), and a customer's jobs are still found by the customer
 * index, now partial.
 */
class ExecutionInPlaceTest {
  private static final int JOBS = 20;

  @TempDir Path dir;

  @Test
  void reportsAreCountedByScriptVersionAndOnPostgresqlWrittenInPlace() throws Exception {
    try (StoreFixture store = new StoreFixture(dir).seed(JOBS)) {
      long updatedBefore = postgresUpdates(store)[0];
      // Business time from the next 10:00 at the account (inside its active hours, after the jobs
      // fell due), one claim a minute (over the account's pace of 30 s, give or take 15).
      java.time.ZonedDateTime ten = java.time.ZonedDateTime.now(java.time.ZoneId.of("Asia/Shanghai")).withHour(10).withMinute(0).withSecond(0).withNano(0);
      Instant start = (ten.toInstant().isAfter(Instant.now()) ? ten : ten.plusDays(1)).toInstant();
      for (int i = 0; i < JOBS; i++) {
        Instant now = start.plus(Duration.ofMinutes(i));
        ControllerJobOffer offer = store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3).orElseThrow();
        Outcome outcome = i < JOBS - 2 ? Outcome.SUCCEEDED : Outcome.UNKNOWN;
        AgentJobReport report = new AgentJobReport("r-" + offer.fencingToken(), offer.jobId(), offer.fencingToken(), "dev-1", outcome,
            null, outcome == Outcome.UNKNOWN ? "the send may have gone" : null, null, now, now, "wecom-sim@7", null, null, null);
        assertThat(store.jobs.reports().applyReport("agent-1", report, null, now, now, 3).accepted()).as("report %s", i).isTrue();
      }

      List<JdbcScriptStore.VersionSummary> versions = new JdbcScriptStore(store.db, new AuditLog(store.db)).versions("wecom-sim");
      assertThat(versions).as("the agents' own version, as the console lists it").hasSize(1);
      assertThat(versions.get(0).version()).isEqualTo("7");
      assertThat(versions.get(0).outcomes()).isEqualTo(Map.of("SUCCEEDED", (long) JOBS - 2, "UNKNOWN", 2L));

      if (TestStores.postgres()) {
        // The server's table statistics arrive when each session goes idle (within seconds).
        long[] seen = Eventually.until("the reports' updates of executions counted", Duration.ofSeconds(30), () -> postgresUpdates(store),
            u -> u[0] >= updatedBefore + JOBS);
        assertThat(seen[1]).as("of %d updates of execution rows, those written in place (HOT)", seen[0]).isEqualTo(seen[0]);
      }
    }
  }

  @Test
  void aCustomersJobsAreFoundByTheCustomerIndex() throws Exception {
    Assumptions.assumeTrue(TestStores.postgres(), "the partial index is PostgreSQL's; the embedded store keeps its full one");
    try (StoreFixture store = new StoreFixture(dir)) {
      List<String> plan = store.planByIndex(CustomerJobs.IN_FLIGHT, "cust-1");
      assertThat(plan).as("the plan of a customer's jobs in flight (erasure checks it)").anySatisfy(l -> assertThat(l).contains("jobs_customer"));
    }
  }

  /** On PostgreSQL, the updates of {@code executions} and those of them made in place; zeros elsewhere. */
  private static long[] postgresUpdates(StoreFixture store) {
    if (!TestStores.postgres()) {
      return new long[] {0, 0};
    }
    return store.db.inTransaction(c -> Sql.one(c, "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'executions'",
        rs -> new long[] {rs.getLong(1), rs.getLong(2)}).orElseThrow());
  }
}
