package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.store.TestStores;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reads a dispatch pass makes per account go by the claim index. On PostgreSQL that index holds
 * waiting jobs only (schema version 28), and a claim's read of the account's next jobs must still be
 * answered by it: a state the planner cannot see as waiting (a parameter instead of the written-out
 * state) would turn every claim into a walk of the account's whole history. On the embedded store
 * the probe of which accounts have work must not walk every due job of the farm for an account
 * with none.
 */
class ClaimIndexTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");

  @TempDir Path dir;

  @Test
  void theEmbeddedStoreProbesAnAccountWithNothingDueByTheClaimIndex() throws Exception {
    Assumptions.assumeTrue(!TestStores.postgres(), "PostgreSQL's probe is planned with its sequential scans off");
    try (StoreFixture store = new StoreFixture(dir).seed(200)) {
      new com.wecomrpa.controller.account.JdbcAccountStore(store.db)
          .create(new com.wecomrpa.controller.account.Account("acc-idle", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), NOW));
      Sql.Read<String> probe = store.jobs.claims().probeRead(List.of("acc-1", "acc-idle"), Instant.now().plusSeconds(60));
      List<String> withWork = store.db.inTransaction(c -> Sql.list(c, probe.sql(), probe.row(), probe.args().toArray()));
      assertThat(withWork).as("the account with 200 jobs due has work, the other none").containsExactly("acc-1");
      String plan = store.db.inTransaction(c -> Sql.one(c, "EXPLAIN ANALYZE " + probe.sql(), rs -> rs.getString(1), probe.args().toArray())).orElseThrow();
      assertThat(plan).as("each of the probe's two reads of jobs").containsIgnoringCase("public.jobs_claim: due_at").doesNotContainIgnoringCase("jobs_due");
      java.util.regex.Matcher scans = java.util.regex.Pattern.compile("scanCount: (\\d+)").matcher(plan);
      while (scans.find()) {
        assertThat(Integer.parseInt(scans.group(1))).as("rows walked by one part of the probe, in:%n%s", plan).isLessThanOrEqualTo(3);
      }
    }
  }

  @Test
  void postgresProbesAnyNumberOfAccountsWithOneStatement() throws Exception {
    Assumptions.assumeTrue(TestStores.postgres(), "the embedded store lists its accounts");
    try (StoreFixture store = new StoreFixture(dir).seed(20)) {
      new com.wecomrpa.controller.account.JdbcAccountStore(store.db)
          .create(new com.wecomrpa.controller.account.Account("acc-idle", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), NOW));
      Instant later = Instant.now().plusSeconds(60);
      Sql.Read<String> one = store.jobs.claims().probeRead(List.of("acc-1"), later);
      Sql.Read<String> three = store.jobs.claims().probeRead(List.of("acc-idle", "acc-1", "acc-404"), later);

      // One text for a pass of any size: the server plans it once, not once per size.
      assertThat(three.sql()).isEqualTo(one.sql());
      List<String> ofThree = store.db.inTransaction(c -> Sql.list(c, three.sql(), three.row(), three.args().toArray()));
      List<String> ofOne = store.db.inTransaction(c -> Sql.list(c, one.sql(), one.row(), one.args().toArray()));
      assertThat(ofThree).containsExactly("acc-1");
      assertThat(ofOne).containsExactly("acc-1");
    }
  }

  @Test
  void theClaimsReadOfTheNextJobsIsAnsweredByTheClaimIndex() throws Exception {
    Assumptions.assumeTrue(TestStores.postgres(), "partial indexes are PostgreSQL's; the embedded store keeps full ones");
    try (StoreFixture store = new StoreFixture(dir)) {
      for (LocalDate day : new LocalDate[] {null, LocalDate.of(2026, 12, 7)}) {
        Sql.Read<Object[]> heads = JobClaims.headsRead("acc-1", List.of("g-held"), NOW, 3, day);
        List<String> plan = store.planByIndex(heads.sql(), heads.args().toArray());
        assertThat(plan).as("the plan of the heads read (day %s): its queued and its unknown part", day).filteredOn(l -> l.contains(" on jobs"))
            .hasSize(2).allSatisfy(l -> assertThat(l).contains("Index Scan using jobs_claim on jobs"));
      }
    }
  }
}
