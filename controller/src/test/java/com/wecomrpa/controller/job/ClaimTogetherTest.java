package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.store.TestStores;
import com.wecomrpa.protocol.ControllerJobOffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claims of a dispatch lane made in one transaction (PostgreSQL): each device gets what a
 * claim of its own would have given it, a batch that meets a failing claim changes nothing (the
 * claims are then made one by one), and two batches over the same accounts never deadlock.
 */
class ClaimTogetherTest {
  private static final Instant NOW = Instant.parse("2026-12-06T02:00:00Z");
  private static final List<String> ACCOUNTS = List.of("a-1", "a-2", "a-3", "a-4");

  @TempDir Path dir;

  @Test
  void eachDeviceOfALaneGetsItsAccountsNextJobInTheOrderAsked() {
    try (StoreFixture store = farm(2)) {
      knowZones(store);
      List<JobClaims.Ask> asks = List.of(ask("a-3"), ask("a-1"), ask("a-4"), ask("a-2"));
      Optional<List<Optional<ControllerJobOffer>>> together = store.jobs.claims().claimTogether(asks, NOW, NOW, Duration.ofSeconds(30), 3);
      if (!TestStores.postgres()) {
        // The embedded store does not flush commits one by one: each claim keeps its own transaction.
        assertThat(together).isEmpty();
        assertThat(leased(store)).isZero();
        return;
      }
      assertThat(together).isPresent();
      List<Optional<ControllerJobOffer>> offers = together.get();
      assertThat(offers).hasSize(4).allMatch(Optional::isPresent);
      for (int i = 0; i < asks.size(); i++) {
        ControllerJobOffer o = offers.get(i).get();
        assertThat(o.accountId()).isEqualTo(asks.get(i).accountId());
        assertThat(o.deviceId()).isEqualTo(asks.get(i).deviceId());
        assertThat(o.jobId()).as("the account's first job in claim order").isEqualTo(jobId(asks.get(i).accountId(), 1));
      }
      assertThat(offers.stream().map(o -> o.get().fencingToken()).distinct()).hasSize(4);
      assertThat(leased(store)).isEqualTo(4);
      assertThat(executions(store)).isEqualTo(4);
      // What each lease wrote with it, each to its own account, group and job.
      for (Optional<ControllerJobOffer> offer : offers) {
        ControllerJobOffer o = offer.get();
        String a = o.accountId();
        store.db.inTransaction(c -> {
          assertThat(Sql.count(c, "SELECT used FROM group_day_usage WHERE group_id = ? AND usage_day = DATE '2026-12-06'", "g-" + a + "-1"))
              .as("the post of %s's group reserved", a).isEqualTo(1);
          assertThat(Sql.count(c, "SELECT COUNT(*) FROM group_day_usage WHERE group_id LIKE ?", "g-" + a + "-%")).isEqualTo(1);
          assertThat(Sql.count(c, "SELECT COUNT(*) FROM usage_counters WHERE account_id = ? AND used = 1", a)).as("%s's counters taken", a).isPositive();
          assertThat(Sql.count(c, "SELECT COUNT(*) FROM usage_counters WHERE account_id = ? AND used <> 1", a)).isZero();
          assertThat(Sql.count(c, "SELECT next_action_at FROM accounts WHERE id = ?", a)).as("%s's pace", a).isGreaterThanOrEqualTo(NOW.toEpochMilli());
          assertThat(Sql.count(c, "SELECT COUNT(*) FROM executions WHERE job_id = ? AND lease_token = ? AND device_id = ? AND attempt = 1",
              o.jobId(), o.fencingToken(), o.deviceId())).as("%s's execution row", a).isEqualTo(1);
          assertThat(Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE id = ? AND state = 'LEASED' AND lease_token = ? AND device_id = ? AND attempts = 1"
              + " AND quota_day = DATE '2026-12-06' AND counters <> ''", o.jobId(), o.fencingToken(), o.deviceId())).as("%s's lease", a).isEqualTo(1);
          return null;
        });
      }
    }
  }

  @Test
  void twoDevicesOfOneAccountInABatchGetItsFirstAndSecondJobsEachClaimSeeingTheOneBefore() {
    try (StoreFixture store = farm(3)) {
      // Each claim's reads go out with the write of the claim before it: the second device's read
      // of its account's next job comes after the first device's lease, in the same transaction.
      List<JobClaims.Ask> asks = List.of(new JobClaims.Ask("agent-1", "dev-x", "a-2"), new JobClaims.Ask("agent-1", "dev-y", "a-2"), ask("a-1"));
      Optional<List<Optional<ControllerJobOffer>>> together = store.jobs.claims().claimTogether(asks, NOW, NOW, Duration.ofSeconds(30), 3);
      if (!TestStores.postgres()) {
        assertThat(together).isEmpty();
        return;
      }
      assertThat(together).isPresent();
      assertThat(together.get()).allMatch(Optional::isPresent);
      assertThat(together.get().stream().map(o -> o.get().deviceId() + " " + o.get().jobId()).toList())
          .containsExactly("dev-x " + jobId("a-2", 1), "dev-y " + jobId("a-2", 2), "dev-a-1 " + jobId("a-1", 1));
      assertThat(leased(store)).isEqualTo(3);
      assertThat(executions(store)).isEqualTo(3);
    }
  }

  @Test
  void aBatchMeetingAClaimThatFailsChangesNothingAndTheOthersStillClaimAlone() {
    try (StoreFixture store = farm(1)) {
      // An account whose row names no real time zone: its claim fails, whoever makes it.
      store.db.inTransaction(c -> Sql.update(c, "UPDATE accounts SET time_zone = 'Nowhere/Atlantis' WHERE id = 'a-2'"));
      List<JobClaims.Ask> asks = List.of(ask("a-1"), ask("a-2"), ask("a-3"));
      assertThat(store.jobs.claims().claimTogether(asks, NOW, NOW, Duration.ofSeconds(30), 3)).isEmpty();
      assertThat(leased(store)).as("the batch rolled back whole").isZero();
      assertThat(executions(store)).isZero();
      // What the dispatcher does next: each on its own; the bad account fails alone.
      assertThat(store.jobs.claims().claimNext("agent-1", "dev-a-1", "a-1", NOW, NOW, Duration.ofSeconds(30), 3)).isPresent();
      assertThatThrownBy(() -> store.jobs.claims().claimNext("agent-1", "dev-a-2", "a-2", NOW, NOW, Duration.ofSeconds(30), 3)).isInstanceOf(RuntimeException.class);
      assertThat(store.jobs.claims().claimNext("agent-1", "dev-a-3", "a-3", NOW, NOW, Duration.ofSeconds(30), 3)).isPresent();
      assertThat(leased(store)).isEqualTo(2);
    }
  }

  @Test
  void twoBatchesOverTheSameAccountsInOppositeOrdersNeitherDeadlockNorLeaseAJobTwice() throws Exception {
    int rounds = 10;
    try (StoreFixture store = farm(2 * rounds)) {
      for (int round = 0; round < rounds; round++) {
        List<JobClaims.Ask> forward = new ArrayList<>();
        List<JobClaims.Ask> backward = new ArrayList<>();
        for (String a : ACCOUNTS) {
          forward.add(new JobClaims.Ask("agent-1", "dev-1-" + a, a));
          backward.add(new JobClaims.Ask("agent-2", "dev-2-" + a, a));
        }
        Collections.reverse(backward);
        Instant at = NOW.plus(Duration.ofMinutes(10L * round));
        CompletableFuture<Optional<List<Optional<ControllerJobOffer>>>> one =
            CompletableFuture.supplyAsync(() -> store.jobs.claims().claimTogether(forward, at, at, Duration.ofSeconds(30), 3));
        CompletableFuture<Optional<List<Optional<ControllerJobOffer>>>> two =
            CompletableFuture.supplyAsync(() -> store.jobs.claims().claimTogether(backward, at, at, Duration.ofSeconds(30), 3));
        Optional<List<Optional<ControllerJobOffer>>> first = one.get(60, TimeUnit.SECONDS);
        Optional<List<Optional<ControllerJobOffer>>> second = two.get(60, TimeUnit.SECONDS);
        if (!TestStores.postgres()) {
          assertThat(first).isEmpty();
          assertThat(second).isEmpty();
          continue;
        }
        // A deadlock would fail one batch (PostgreSQL breaks it after a second), which then answers nothing.
        assertThat(first).as("round %d, first batch", round).isPresent();
        assertThat(second).as("round %d, second batch", round).isPresent();
        List<String> offered = new ArrayList<>();
        for (List<Optional<ControllerJobOffer>> batch : List.of(first.get(), second.get())) {
          assertThat(batch).as("round %d: every device got a job", round).allMatch(Optional::isPresent);
          batch.forEach(o -> offered.add(o.get().jobId()));
        }
        // The two batches waited on each other account by account: each took the next job, never the same one.
        List<String> expected = new ArrayList<>();
        for (String a : ACCOUNTS) {
          expected.add(jobId(a, 2 * round + 1));
          expected.add(jobId(a, 2 * round + 2));
        }
        assertThat(offered).as("round %d", round).containsExactlyInAnyOrderElementsOf(expected);
      }
      int expected = TestStores.postgres() ? 2 * rounds * ACCOUNTS.size() : 0;
      assertThat(leased(store)).isEqualTo(expected);
      assertThat(executions(store)).as("one execution per lease: no job leased twice").isEqualTo(expected);
    }
  }

  @Test
  void aBatchWhoseLeaseIsTakenFromUnderItChangesNothingAndTheOthersStillClaimAlone() throws Exception {
    assumeTrue(TestStores.postgres(), "claims share a transaction on PostgreSQL only");
    try (StoreFixture store = farm(1)) {
      // An operator cancels a-2's job: the cancel holds the job's row, not its account's, so the
      // batch reads the job as queued and its write meets the cancel.
      Optional<List<Optional<ControllerJobOffer>>> batch = batchMeeting(store,
          c -> Sql.update(c, "UPDATE jobs SET state = 'CANCELLED' WHERE id = ?", jobId("a-2", 1)), "the batch's write waits on the cancelled job's row");
      assertThat(batch).as("a lease not taken fails the batch whole").isEmpty();
      assertThat(leased(store)).isZero();
      assertThat(executions(store)).isZero();
      long reserved = store.db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM group_day_usage"));
      assertThat(reserved).as("no group's post reserved").isZero();
      long counted = store.db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM usage_counters"));
      assertThat(counted).as("no account's counter taken").isZero();
      // What the dispatcher does next: each on its own; the cancelled job is not offered.
      aloneA2GetsNothing(store);
    }
  }

  @Test
  void aBatchWhoseGroupsDayFillsUnderItChangesNothingAndTheOthersStillClaimAlone() throws Exception {
    assumeTrue(TestStores.postgres(), "claims share a transaction on PostgreSQL only");
    try (StoreFixture store = farm(1)) {
      knowZones(store);
      // Something else fills a-2's group's day (three posts, the cap) in a transaction not yet
      // committed: the batch reads the day as empty, and its reservation meets the full day.
      Optional<List<Optional<ControllerJobOffer>>> batch = batchMeeting(store,
          c -> Sql.update(c, "INSERT INTO group_day_usage (group_id, usage_day, used) VALUES (?, DATE '2026-12-06', 3)", "g-a-2-1"),
          "the batch's reservation waits on the group's day being filled");
      assertThat(batch).as("a reservation not made fails the batch whole").isEmpty();
      assertThat(leased(store)).isZero();
      assertThat(executions(store)).isZero();
      assertThat(dayOfA2(store)).as("the day stays at its cap").isEqualTo(3);
      long others = store.db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM group_day_usage WHERE group_id <> 'g-a-2-1'"));
      assertThat(others).as("no other group's post reserved").isZero();
      long counted = store.db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM usage_counters"));
      assertThat(counted).as("no account's counter taken").isZero();
      // Each on its own: a-2's group has no post left today.
      aloneA2GetsNothing(store);
      assertThat(dayOfA2(store)).isEqualTo(3);
    }
  }

  /** A batch of a-1, a-2 and a-3 that waits on {@code other}'s lock ({@code what}) until it commits: the batch's answer. */
  private static Optional<List<Optional<ControllerJobOffer>>> batchMeeting(StoreFixture store, StoreFixture.Step other, String what) throws Exception {
    return store.claimTogetherPast(other, List.of(ask("a-1"), ask("a-2"), ask("a-3")), NOW, what);
  }

  /** What the dispatcher does after a failed batch: each claims on its own; a-1 and a-3 get their jobs, a-2 nothing. */
  private static void aloneA2GetsNothing(StoreFixture store) {
    assertThat(store.jobs.claims().claimNext("agent-1", "dev-a-1", "a-1", NOW, NOW, Duration.ofSeconds(30), 3)).isPresent();
    assertThat(store.jobs.claims().claimNext("agent-1", "dev-a-2", "a-2", NOW, NOW, Duration.ofSeconds(30), 3)).isEmpty();
    assertThat(store.jobs.claims().claimNext("agent-1", "dev-a-3", "a-3", NOW, NOW, Duration.ofSeconds(30), 3)).isPresent();
    assertThat(leased(store)).isEqualTo(2);
    assertThat(executions(store)).isEqualTo(2);
  }

  /**
   * Claims for each account before anything is due, so this node knows the accounts' zones: their
   * claims then read the groups' day with the lock and reserve the post with the lease.
   */
  private static void knowZones(StoreFixture store) {
    for (String a : ACCOUNTS) {
      assertThat(store.jobs.claims().claimNext("agent-1", "dev-" + a, a, NOW.minus(Duration.ofHours(2)), NOW, Duration.ofSeconds(30), 3)).isEmpty();
    }
  }

  private static long dayOfA2(StoreFixture store) {
    return store.db.inTransaction(c -> Sql.count(c, "SELECT used FROM group_day_usage WHERE group_id = 'g-a-2-1'"));
  }

  private StoreFixture farm(int jobsPerAccount) {
    StoreFixture store = new StoreFixture(dir);
    JdbcAccountStore accounts = new JdbcAccountStore(store.db);
    List<ChatGroup> groups = new ArrayList<>();
    List<NewJob> jobs = new ArrayList<>();
    for (String a : ACCOUNTS) {
      accounts.create(new Account(a, "wecom", "Bot " + a, "Asia/Shanghai", "active", 0, List.of(), NOW));
      for (int i = 1; i <= jobsPerAccount; i++) {
        groups.add(new ChatGroup("g-" + a + "-" + i, "群 " + a + " " + i, a, List.of()));
        jobs.add(new NewJob(jobId(a, i), "broadcast", "b-1", a, "g-" + a + "-" + i, null, "send_group_text",
            Map.of("group_name", "群 " + a + " " + i, "text", "hi"), 0, NOW.minusSeconds(600 - i), null, null));
      }
    }
    new JdbcGroupStore(store.db, new JdbcLimitStore(store.db, new AuditLog(store.db), 200, 3)).createAll(groups, NOW);
    store.db.inTransaction(c -> store.jobs.intake().enqueue(c, jobs, NOW.minusSeconds(900)));
    return store;
  }

  private static String jobId(String account, int i) {
    return "broadcast:b-1:" + account + ":" + i;
  }

  private static JobClaims.Ask ask(String account) {
    return new JobClaims.Ask("agent-1", "dev-" + account, account);
  }

  private static long leased(StoreFixture store) {
    return store.db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE state = 'LEASED'"));
  }

  private static long executions(StoreFixture store) {
    return store.db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM executions"));
  }
}
