package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.store.TestStores;
import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.ControllerJobOffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A real embedded store opened as the controller opens it, with one account and its groups. */
final class StoreFixture implements AutoCloseable {
  final Database db;
  final FencingTokens tokens;
  final Jobs jobs;

  StoreFixture(Path dir) {
    db = TestStores.open(dir, 4);
    tokens = FencingTokens.takeEpoch(db, "test", Instant.now());
    JdbcLimitStore limits = new JdbcLimitStore(db, new AuditLog(db), 200, 3);
    jobs = Jobs.open(db, new GroupDailyQuota(3), limits, new SplittableRandom(1), tokens);
  }

  /** Account acc-1 with groups g-1..g-n and one queued broadcast job per group. */
  StoreFixture seed(int groups) {
    Instant now = Instant.now();
    new JdbcAccountStore(db).create(new Account("acc-1", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), now));
    List<ChatGroup> gs = new ArrayList<>();
    List<NewJob> js = new ArrayList<>();
    for (int i = 1; i <= groups; i++) {
      gs.add(new ChatGroup("g-" + i, "群 " + i, "acc-1", List.of()));
      js.add(NewJob.now(job(i), "broadcast", "b-1", "acc-1", "g-" + i, "send_group_text", Map.of("group_name", "群 " + i, "text", "hi")));
    }
    new JdbcGroupStore(db, new JdbcLimitStore(db, new AuditLog(db), 200, 3)).createAll(gs, now);
    db.inTransaction(c -> jobs.intake().enqueue(c, js, now));
    return this;
  }

  /**
   * PostgreSQL's plan of {@code sql} with sequential and bitmap scans turned off: an empty or small
   * table reads fastest without an index, and with that way closed the plan shows whether an index
   * can answer at all. One line per plan line.
   */
  List<String> planByIndex(String sql, Object... args) {
    return db.inTransaction(c -> {
      try (java.sql.Statement off = c.createStatement()) {
        off.execute("SET LOCAL enable_seqscan = off");
        off.execute("SET LOCAL enable_bitmapscan = off");
      }
      return Sql.list(c, "EXPLAIN " + sql, rs -> rs.getString(1), args);
    });
  }

  /**
   * PostgreSQL: returns once a session of this database waits on a lock, failing if {@code waiter}
   * ends first or nothing waits within a minute ({@code what} says who should be waiting).
   */
  void awaitLockWait(Future<?> waiter, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (db.inTransaction(c -> Sql.count(c,
        "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")) == 0) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      assertThat(waiter.isDone()).as(what).isFalse();
      Thread.onSpinWait();
    }
  }

  interface Step {
    void run(Connection c) throws SQLException;
  }

  /**
   * PostgreSQL: the claims of {@code asks} made together while {@code other}, a transaction still
   * open, holds a lock they wait on ({@code what}); the transaction then commits. Answers the batch's answer.
   */
  Optional<List<Optional<ControllerJobOffer>>> claimTogetherPast(Step other, List<JobClaims.Ask> asks, Instant now, String what) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> open = holding(release, other);
    var batch = CompletableFuture.supplyAsync(() -> jobs.claims().claimTogether(asks, now, now, Duration.ofSeconds(30), 3));
    awaitLockWait(batch, what);
    release.countDown();
    open.get(60, TimeUnit.SECONDS);
    return batch.get(60, TimeUnit.SECONDS);
  }

  /** Runs {@code step} in a transaction on another thread and keeps it open until {@code release}; returns once the step has run. */
  CompletableFuture<Void> holding(CountDownLatch release, Step step) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<Void> open = CompletableFuture.runAsync(() -> db.inTransaction(c -> {
      step.run(c);
      done.countDown();
      try {
        assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return null;
    }));
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    return open;
  }

  static String job(int i) {
    return "broadcast:b-1:g-" + i;
  }

  @Override
  public void close() {
    db.close();
  }
}
