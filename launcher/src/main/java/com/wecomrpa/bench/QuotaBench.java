package com.wecomrpa.bench;

import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Group quota reservations (the conditional UPDATE a dispatch takes per post) on the embedded
 * store, 4 threads: all on one group's day (worst contention) and spread over 10,000 groups.
 * Baseline in the same run: a bare single-row UPDATE per transaction on the same store. Beside the
 * figures, a correctness check: many threads racing for one group's day never get past its cap.
 */
public class QuotaBench {
  static final int THREADS = 4;

  @State(Scope.Benchmark)
  public static class Store {
    Database db;
    GroupDailyQuota quota;
    final LocalDate day = LocalDate.of(2026, 11, 23);
    final AtomicInteger keys = new AtomicInteger();
    Path dir;

    @Setup(Level.Trial)
    public void open() throws Exception {
      dir = Files.createTempDirectory("quota-bench");
      db = Database.embedded(dir, THREADS + 2);
      quota = new GroupDailyQuota(3);
      db.inTransaction(c -> {
        Sql.update(c, "CREATE TABLE bench_counter (id INT PRIMARY KEY, n BIGINT NOT NULL)");
        for (int i = 0; i < THREADS; i++) {
          Sql.update(c, "INSERT INTO bench_counter (id, n) VALUES (?, 0)", i);
        }
        return null;
      });
    }

    @TearDown(Level.Trial)
    public void close() {
      db.close();
    }
  }

  @State(Scope.Thread)
  public static class Worker {
    int id;
    long next;

    @Setup(Level.Trial)
    public void pick(Store s) {
      id = s.keys.getAndIncrement() % THREADS;
    }
  }

  @Benchmark
  @Threads(THREADS)
  public boolean oneKey(Store s) {
    return s.db.inTransaction(c -> s.quota.reserve(c, "g-hot", s.day, Integer.MAX_VALUE));
  }

  @Benchmark
  @Threads(THREADS)
  public boolean manyKeys(Store s, Worker w) {
    String group = "g-" + ((w.next++ * THREADS + w.id) % 10_000);
    return s.db.inTransaction(c -> s.quota.reserve(c, group, s.day, Integer.MAX_VALUE));
  }

  @Benchmark
  @Threads(THREADS)
  public int bareUpdate(Store s, Worker w) {
    return s.db.inTransaction(c -> Sql.update(c, "UPDATE bench_counter SET n = n + 1 WHERE id = ?", w.id));
  }

  static String run() throws Exception {
    System.out.printf("quota: JMH, %d threads, 1 fork, 5x2s warm-up, 5x2s measured (%s)%n", THREADS, Gauges.machine());
    Options opts = new OptionsBuilder()
        .include(QuotaBench.class.getName() + "\\.")
        .forks(1)
        .warmupIterations(5).warmupTime(TimeValue.seconds(2))
        .measurementIterations(5).measurementTime(TimeValue.seconds(2))
        .timeUnit(TimeUnit.SECONDS)
        .mode(org.openjdk.jmh.annotations.Mode.Throughput)
        .build();
    Collection<RunResult> results = new Runner(opts).run();
    double one = score(results, "oneKey");
    double many = score(results, "manyKeys");
    double bare = score(results, "bareUpdate");
    int over = overCapCheck();
    System.out.printf("correctness: 16 threads x 200 tries at one group's day with cap 3 -> %s%n", over == 0 ? "exactly 3 granted" : over + " over the cap");
    return String.format("bench quota: one_key_per_s=%.0f many_keys_per_s=%.0f bare_update_per_s=%.0f over_cap=%d ratio=%.3f", one, many, bare, over, many / bare);
  }

  private static double score(Collection<RunResult> results, String name) {
    return results.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no JMH result for " + name)).getPrimaryResult().getScore();
  }

  /** Returns how many reservations went past the cap (0 is right). */
  static int overCapCheck() throws Exception {
    Path dir = Files.createTempDirectory("quota-check");
    try (Database db = Database.embedded(dir, 16)) {
      GroupDailyQuota quota = new GroupDailyQuota(3);
      LocalDate day = LocalDate.of(2026, 11, 23);
      AtomicInteger granted = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      for (int t = 0; t < 16; t++) {
        pool.execute(() -> {
          for (int i = 0; i < 200; i++) {
            if (db.inTransaction(c -> quota.reserve(c, "g-check", day))) {
              granted.incrementAndGet();
            }
          }
        });
      }
      pool.shutdown();
      pool.awaitTermination(2, TimeUnit.MINUTES);
      int stored = db.inTransaction(c -> quota.used(c, "g-check", day));
      if (granted.get() != stored) {
        throw new IllegalStateException("granted " + granted.get() + " but the store holds " + stored);
      }
      return Math.max(0, granted.get() - 3);
    }
  }
}
