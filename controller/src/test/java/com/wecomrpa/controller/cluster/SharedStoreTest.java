package com.wecomrpa.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.store.TestStores;
import com.wecomrpa.testing.Eventually;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes' stores (three connection pools, as three controllers open them) on one real
 * PostgreSQL: the database arbitrates quotas and the sweep lead whichever node asks.
 */
class SharedStoreTest {
  private final List<Database> nodes = new ArrayList<>();

  @BeforeEach
  void openThreeNodes() {
    String url = TestStores.freshPostgres();
    for (int i = 0; i < 3; i++) {
      nodes.add(Database.postgres(url, TestStores.server().credentials(), 10));
    }
  }

  @AfterEach
  void close() {
    nodes.forEach(Database::close);
  }

  @Test
  void aThousandConcurrentReservationsOfOneGroupsDayOverThreeNodesReserveExactlyThree() throws Exception {
    GroupDailyQuota quota = new GroupDailyQuota(3);
    LocalDate day = LocalDate.of(2026, 11, 23);
    ExecutorService pool = Executors.newFixedThreadPool(30);
    List<Future<Boolean>> tries = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Database node = nodes.get(i % 3);
      tries.add(pool.submit(() -> node.inTransaction(c -> quota.reserve(c, "g-1", day))));
    }
    int reserved = 0;
    for (Future<Boolean> f : tries) {
      reserved += f.get(2, TimeUnit.MINUTES) ? 1 : 0;
    }
    pool.shutdown();

    assertThat(reserved).isEqualTo(3);
    int used = nodes.get(1).inTransaction(c -> quota.used(c, "g-1", day));
    assertThat(used).isEqualTo(3);
  }

  @Test
  void oneNodeLeadsTheSweepsAnotherTakesOverWhenItStopsAndTheStaleOneFindsItsTermGone() throws Exception {
    AtomicBoolean firstIsOldest = new AtomicBoolean(true);
    Duration term = Duration.ofMillis(1500);
    SweepLead a = new SweepLead(nodes.get(0), "node-a", term, firstIsOldest::get, false);
    SweepLead b = new SweepLead(nodes.get(1), "node-b", term, () -> true, false);
    SweepLead c = new SweepLead(nodes.get(2), "node-c", term, () -> true, false);

    assertThat(a.renew()).isTrue();
    assertThat(b.renew()).as("b also believes it is oldest (a split), but a's term runs").isFalse();
    assertThat(c.renew()).isFalse();

    // a freezes: it renews no more. Its own view doubts the lead after half a term ...
    long frozeAt = System.nanoTime();
    awaitTrue("a doubts its own lead", () -> !a.holds());
    assertThat(Duration.ofNanos(System.nanoTime() - frozeAt)).as("a doubted within its term").isLessThan(term);
    // ... and once the term is over on the database's clock, exactly one other node takes it.
    // Polling the term's end on the database's clock: both try each time.
    boolean[] took = Eventually.until("b or c took the lead", Duration.ofSeconds(30), () -> new boolean[] {b.renew(), c.renew()}, t -> t[0] || t[1]);
    assertThat(took[0] ^ took[1]).as("exactly one of b and c took the lead").isTrue();
    long newTerm = nodes.get(0).inTransaction(x -> Sql.count(x, "SELECT term FROM sweep_lead WHERE name = 'sweeps'"));
    assertThat(newTerm).isEqualTo(2);

    // a wakes up, still believing it is oldest: the database says no.
    assertThat(a.renew()).isFalse();
    assertThat(a.holds()).isFalse();
    assertThat(a.term()).isEqualTo(-1);
  }

  @Test
  void aHolderThatIsNoLongerOldestHandsTheLeadOverAtOnce() {
    AtomicBoolean aOldest = new AtomicBoolean(true);
    SweepLead a = new SweepLead(nodes.get(0), "node-a", Duration.ofSeconds(30), aOldest::get, false);
    SweepLead b = new SweepLead(nodes.get(1), "node-b", Duration.ofSeconds(30), () -> !aOldest.get(), false);
    assertThat(a.renew()).isTrue();
    aOldest.set(false);
    assertThat(a.renew()).isFalse();
    assertThat(b.renew()).as("no 30 s wait: a released its term").isTrue();
  }

  private static void awaitTrue(String what, java.util.function.BooleanSupplier done) {
    Eventually.waitUntil(what, Duration.ofSeconds(30), done);
  }
}
