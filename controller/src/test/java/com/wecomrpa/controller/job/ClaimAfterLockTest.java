package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.caller.Role;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.limits.AccountCounters;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.store.TestStores;
import com.wecomrpa.protocol.ControllerJobOffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A claim that waits on its account's lock decides on what the claim holding the lock wrote. On
 * PostgreSQL a claim's first reads (the account's row, locked; its limits; its next jobs; its
 * counters of the hour) go out together, and each must be read after the lock is granted: in READ
 * COMMITTED a statement's snapshot is taken before it waits, so counters read in the statement that
 * waited would miss the post the other claim spent. The embedded store reads one statement at a
 * time; its locks are tested by the quota tests.
 */
class ClaimAfterLockTest {
  private static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");

  @TempDir Path dir;

  @Test
  void aClaimThatWaitedForAnotherNodesClaimSeesTheHourItsPostUsedUp() throws Exception {
    assumeTrue(TestStores.postgres(), "the reads sent together with the lock are PostgreSQL's");
    try (StoreFixture store = new StoreFixture(dir)) {
      new JdbcAccountStore(store.db).create(new Account("acc-1", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), NOW));
      JdbcLimitStore limits = new JdbcLimitStore(store.db, new AuditLog(store.db), 200, 3);
      new JdbcGroupStore(store.db, limits).createAll(List.of(new ChatGroup("g-1", "群 1", "acc-1", List.of()), new ChatGroup("g-2", "群 2", "acc-1", List.of())), NOW);
      limits.put(new Caller("t", "admin", Role.ADMIN, null), "account", "acc-1", Map.of("postsPerAccountPerHour", "1"), "one post an hour", NOW);
      store.db.inTransaction(c -> store.jobs.intake().enqueue(c, List.of(
          new NewJob("post-1", "broadcast", "b-1", "acc-1", "g-1", null, "send_group_text", Map.of("group_name", "群 1", "text", "hi"), 0, NOW.minusSeconds(60), null, null),
          new NewJob("post-2", "broadcast", "b-1", "acc-1", "g-2", null, "send_group_text", Map.of("group_name", "群 2", "text", "hi"), 0, NOW.minusSeconds(30), null, null)),
          NOW.minusSeconds(900)));
      // This node has claimed for the account before, so it knows its zone and reads its counters with the lock.
      store.db.inTransaction(c -> Sql.update(c, "UPDATE accounts SET next_action_at = ? WHERE id = 'acc-1'", NOW.minusSeconds(1).toEpochMilli()));
      assertThat(store.jobs.claims().claimNext("agent-1", "dev-0", "acc-1", NOW.minus(Duration.ofHours(2)), NOW, Duration.ofSeconds(30), 3)).isEmpty();

      // Another node's claim holds the account's lock: it leases post-1 and spends the hour's one post.
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> other = store.holding(release, spendsTheHour(limits));

      // This node's claim starts now and waits for the lock.
      CompletableFuture<Optional<ControllerJobOffer>> mine =
          CompletableFuture.supplyAsync(() -> store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", NOW, NOW, Duration.ofSeconds(30), 3));
      store.awaitLockWait(mine, "the claim waits on the account's lock");
      release.countDown();
      other.get(60, TimeUnit.SECONDS);

      assertThat(mine.get(60, TimeUnit.SECONDS)).as("the hour's one post is spent: nothing to lease").isEmpty();
      String held = store.db.inTransaction(c -> Sql.one(c, "SELECT state || ' ' || decided_by FROM jobs WHERE id = 'post-2'", rs -> rs.getString(1))).orElseThrow();
      assertThat(held).isEqualTo("QUEUED account-budget");
      long posts = store.db.inTransaction(c -> Sql.count(c, "SELECT SUM(used) FROM usage_counters WHERE account_id = 'acc-1' AND counter = 'posts/hour'"));
      assertThat(posts).as("posts counted this hour").isEqualTo(1);
    }
  }

  @Test
  void aBatchOfClaimsThatWaitedForAnotherNodesClaimSeesTheHourItsPostUsedUp() throws Exception {
    assumeTrue(TestStores.postgres(), "the reads sent together with the lock are PostgreSQL's");
    try (StoreFixture store = new StoreFixture(dir)) {
      JdbcAccountStore accounts = new JdbcAccountStore(store.db);
      accounts.create(new Account("acc-0", "wecom", "Bot 0", "Asia/Shanghai", "active", 0, List.of(), NOW));
      accounts.create(new Account("acc-1", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), NOW));
      JdbcLimitStore limits = new JdbcLimitStore(store.db, new AuditLog(store.db), 200, 3);
      new JdbcGroupStore(store.db, limits).createAll(List.of(new ChatGroup("g-0", "群 0", "acc-0", List.of()),
          new ChatGroup("g-1", "群 1", "acc-1", List.of()), new ChatGroup("g-2", "群 2", "acc-1", List.of())), NOW);
      limits.put(new Caller("t", "admin", Role.ADMIN, null), "account", "acc-1", Map.of("postsPerAccountPerHour", "1"), "one post an hour", NOW);
      store.db.inTransaction(c -> store.jobs.intake().enqueue(c, List.of(
          new NewJob("post-0", "broadcast", "b-1", "acc-0", "g-0", null, "send_group_text", Map.of("group_name", "群 0", "text", "hi"), 0, NOW.minusSeconds(60), null, null),
          new NewJob("post-1", "broadcast", "b-1", "acc-1", "g-1", null, "send_group_text", Map.of("group_name", "群 1", "text", "hi"), 0, NOW.minusSeconds(60), null, null),
          new NewJob("post-2", "broadcast", "b-1", "acc-1", "g-2", null, "send_group_text", Map.of("group_name", "群 2", "text", "hi"), 0, NOW.minusSeconds(30), null, null)),
          NOW.minusSeconds(900)));
      // This node has claimed for both accounts before, so it knows their zones and reads their counters with their locks.
      store.db.inTransaction(c -> Sql.update(c, "UPDATE accounts SET next_action_at = ?", NOW.minusSeconds(1).toEpochMilli()));
      for (String a : List.of("acc-0", "acc-1")) {
        assertThat(store.jobs.claims().claimNext("agent-1", "dev-" + a, a, NOW.minus(Duration.ofHours(2)), NOW, Duration.ofSeconds(30), 3)).isEmpty();
      }

      // Another node's claim holds acc-1's lock: it leases post-1 and spends the hour's one post.
      // This node's batch (one device of each account, all reads in one round trip) waits for the lock.
      List<JobClaims.Ask> asks = List.of(new JobClaims.Ask("agent-1", "dev-1", "acc-1"), new JobClaims.Ask("agent-1", "dev-0", "acc-0"));
      Optional<List<Optional<ControllerJobOffer>>> offers = store.claimTogetherPast(spendsTheHour(limits), asks, NOW, "the batch waits on acc-1's lock");
      assertThat(offers).isPresent();
      assertThat(offers.get().get(0)).as("acc-1: the hour's one post is spent, nothing to lease").isEmpty();
      assertThat(offers.get().get(1).map(ControllerJobOffer::jobId)).as("acc-0 is not held back by acc-1's hour").contains("post-0");
      String held = store.db.inTransaction(c -> Sql.one(c, "SELECT state || ' ' || decided_by FROM jobs WHERE id = 'post-2'", rs -> rs.getString(1))).orElseThrow();
      assertThat(held).isEqualTo("QUEUED account-budget");
      long posts = store.db.inTransaction(c -> Sql.count(c, "SELECT SUM(used) FROM usage_counters WHERE account_id = 'acc-1' AND counter = 'posts/hour'"));
      assertThat(posts).as("posts counted this hour").isEqualTo(1);
    }
  }

  @Test
  void aJobStoredForAnAccountWhileAClaimHoldsItsLockNeitherWaitsNorIsLost() throws Exception {
    assumeTrue(TestStores.postgres(), "the claim's lock mode is PostgreSQL's");
    try (StoreFixture store = new StoreFixture(dir).seed(2)) {
      // A claim's transaction holds the account's lock, as a lane's does between its claims.
      CountDownLatch release = new CountDownLatch(1);
      Sql.Read<Object[]> lock = JobClaims.lockRead("acc-1", true);
      CompletableFuture<Void> claim = store.holding(release, c -> assertThat(Sql.list(c, lock.sql(), lock.row(), lock.args().toArray())).hasSize(1));
      try {
        // A broadcast stores a job for the account meanwhile: its foreign key's check must not wait
        // for the claim (two seconds of waiting fails the statement here).
        store.db.inTransaction(c -> {
          Sql.one(c, "SELECT set_config('lock_timeout', '2s', true)", rs -> rs.getString(1));
          return store.jobs.intake().enqueue(c, List.of(new NewJob("post-3", "broadcast", "b-2", "acc-1", "g-1", null, "send_group_text",
              Map.of("group_name", "群 1", "text", "hi"), 0, null, null, null)), Instant.now());
        });
      } finally {
        release.countDown();
      }
      claim.get(60, TimeUnit.SECONDS);

      assertThat(store.jobs.queries().find("post-3")).as("the job stored while the claim held the lock").isPresent();
    }
  }

  /** Another node's claim for acc-1: its lock, the hour's one post, post-1 leased. */
  private static StoreFixture.Step spendsTheHour(JdbcLimitStore limits) {
    return c -> {
      Sql.one(c, "SELECT id FROM accounts WHERE id = 'acc-1' FOR UPDATE", rs -> rs.getString(1));
      AccountCounters.take(c, "acc-1", AccountCounters.needs("send_group_text", limits.effective(c, "acc-1", NOW), NOW.atZone(ZoneId.of("Asia/Shanghai"))));
      Sql.update(c, "UPDATE jobs SET state = 'LEASED', lease_token = 1 WHERE id = 'post-1'");
      Sql.update(c, "UPDATE accounts SET next_action_at = ? WHERE id = 'acc-1'", NOW.minusSeconds(1).toEpochMilli());
    };
  }
}
