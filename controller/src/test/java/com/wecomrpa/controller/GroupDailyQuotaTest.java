package com.wecomrpa.controller;

import com.wecomrpa.controller.store.TestStores;
import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupDailyQuotaTest {
  @TempDir Path dir;
  Database db;
  final GroupDailyQuota quota = new GroupDailyQuota(3);
  final LocalDate today = LocalDate.of(2026, 11, 22);

  @BeforeEach
  void open() {
    db = TestStores.open(dir, 32);
  }

  @AfterEach
  void close() {
    db.close();
  }

  private boolean reserve(String group, LocalDate day) {
    return db.inTransaction(c -> quota.reserve(c, group, day));
  }

  private int used(String group, LocalDate day) {
    return db.inTransaction(c -> quota.used(c, group, day));
  }

  @Test
  void fourHundredConcurrentReservationsOnOneGroupReserveExactlyThree() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      attempts.add(
          pool.submit(
              () -> {
                go.await();
                return reserve("g-1", today);
              }));
    }
    go.countDown();
    int granted = 0;
    for (Future<Boolean> f : attempts) {
      if (f.get(60, TimeUnit.SECONDS)) {
        granted++;
      }
    }
    pool.shutdown();
    assertThat(granted).isEqualTo(3);
    assertThat(used("g-1", today)).isEqualTo(3);
  }

  @Test
  void aNewDayHasAFreshBudgetAndOtherGroupsAreUntouched() {
    for (int i = 0; i < 3; i++) {
      assertThat(reserve("g-1", today)).isTrue();
    }
    assertThat(reserve("g-1", today)).isFalse();
    assertThat(reserve("g-2", today)).isTrue();
    assertThat(reserve("g-1", today.plusDays(1))).isTrue();
  }

  @Test
  void aReleasedPostCanBeReservedAgain() {
    for (int i = 0; i < 3; i++) {
      reserve("g-1", today);
    }
    db.inTransaction(
        c -> {
          quota.release(c, "g-1", today);
          return null;
        });
    assertThat(reserve("g-1", today)).isTrue();
    assertThat(reserve("g-1", today)).isFalse();
  }

  @Test
  void aRolledBackReservationTakesNothing() {
    try {
      db.inTransaction(
          c -> {
            quota.reserve(c, "g-1", today);
            throw new IllegalStateException("lease write failed");
          });
    } catch (IllegalStateException expected) {
      // the transaction rolled back
    }
    assertThat(used("g-1", today)).isZero();
  }
}
