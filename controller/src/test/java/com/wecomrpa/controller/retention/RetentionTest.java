package com.wecomrpa.controller.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.evidence.ScreenshotFolder;
import com.wecomrpa.controller.evidence.Screenshots;
import com.wecomrpa.controller.evidence.SharedScreenshots;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.store.TestStores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on a store a real controller wrote: a job sent with a screenshot, one still waiting,
 * audit entries. Each kind goes after its own days, judged by the clock the task is given; what
 * still waits keeps everything.
 */
class RetentionTest {
  @TempDir Path dir;

  @Test
  void eachKindGoesAfterItsOwnDaysAndAWaitingJobKeepsItsContent() throws Exception {
    StoreFixture.sentWithScreenshotAndOneWaiting(dir);
    try (Database db = TestStores.open(dir, 2)) {
      Screenshots shots = TestStores.postgres() ? new SharedScreenshots(db) : new ScreenshotFolder(dir.resolve("screenshots"));
      String shot = db.inTransaction(c -> Sql.one(c, "SELECT screenshot FROM executions WHERE screenshot IS NOT NULL", rs -> rs.getString(1))).orElseThrow();
      assertThat(shots.read(shot)).as(shot + " in " + java.util.Arrays.toString(dir.toFile().list())).isPresent();
      long audit = count(db, "SELECT COUNT(*) FROM audit_log");
      assertThat(audit).isPositive();

      Map<String, Integer> tomorrow = in(db, shots, Duration.ofDays(1));
      assertThat(tomorrow.values()).as("nothing is old enough yet: %s", tomorrow).allMatch(n -> n == 0);

      Map<String, Integer> month = in(db, shots, Duration.ofDays(31));
      assertThat(month.get("screenshots")).isEqualTo(1);
      assertThat(shots.read(shot)).as("the picture itself is gone").isEmpty();
      assertThat(count(db, "SELECT COUNT(*) FROM executions")).as("attempts stay a year").isEqualTo(1);

      Map<String, Integer> year = in(db, shots, Duration.ofDays(400));
      assertThat(year.get("executions")).isEqualTo(1);
      assertThat(year.get("sent")).as("the sent job's content").isEqualTo(1);
      assertThat(count(db, "SELECT COUNT(*) FROM jobs WHERE params LIKE '%erased%' AND state = 'SUCCEEDED'")).isEqualTo(1);
      assertThat(count(db, "SELECT COUNT(*) FROM jobs WHERE state = 'QUEUED' AND params LIKE '%still waiting%'")).as("a waiting job keeps its content").isEqualTo(1);
      assertThat(year.get("audit")).isZero();

      assertThat(in(db, shots, Duration.ofDays(1100)).get("audit")).isEqualTo((int) audit);
      var use = new StorageUse(db, dir, Retention.DEFAULTS).now();
      assertThat(use.toString()).contains("keepDays=1095");
    }
  }

  private static Map<String, Integer> in(Database db, Screenshots shots, Duration later) {
    Clock then = Clock.fixed(Instant.now().plus(later), ZoneOffset.UTC);
    return new ApplyRetentionTask(null, null, db, shots, Retention.DEFAULTS, then).applyNow();
  }

  private static long count(Database db, String sql) {
    return db.inTransaction(c -> Sql.count(c, sql));
  }
}
