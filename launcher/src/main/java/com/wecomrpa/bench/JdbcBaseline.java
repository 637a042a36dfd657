package com.wecomrpa.bench;

import com.wecomrpa.controller.store.DbCredentials;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The least a durable job queue must write per job on the same database, as a yardstick for the
 * product: claim one due job ({@code FOR UPDATE SKIP LOCKED}, committed), then record its result
 * (committed), from {@code threads} workers. No quotas, no pacing, no fencing, no network.
 */
final class JdbcBaseline {
  private JdbcBaseline() {}

  /**
   * A run's rate, and over the same window (the table's setup left out): the PostgreSQL server's CPU
   * a job, its JDBC clients' (this process's, which runs nothing else then) and the host's busy cores.
   */
  record Run(double jobsPerSecond, double postgresCpuMsPerJob, double clientCpuMsPerJob, double hostBusyCores) {}

  static Run run(String url, DbCredentials who, int jobs, int threads) throws Exception {
    try (Connection c = DriverManager.getConnection(url, who.user(), who.password()); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS baseline_jobs (id BIGINT PRIMARY KEY, state VARCHAR(16) NOT NULL, due_at BIGINT NOT NULL, lease_token BIGINT)");
      s.execute("CREATE INDEX IF NOT EXISTS baseline_claim ON baseline_jobs (state, due_at)");
      s.execute("TRUNCATE baseline_jobs");
      s.execute("INSERT INTO baseline_jobs SELECT g, 'QUEUED', g, NULL FROM generate_series(1, " + jobs + ") g");
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> done = new ArrayList<>();
    double cpuBefore = Gauges.postgresCpuSeconds();
    double clientBefore = Gauges.processCpuSeconds();
    double hostBefore = Gauges.hostBusySeconds();
    long t0 = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      long seed = t;
      done.add(pool.submit(() -> {
        int n = 0;
        try (Connection c = DriverManager.getConnection(url, who.user(), who.password());
            PreparedStatement claim = c.prepareStatement("UPDATE baseline_jobs SET state = 'LEASED', lease_token = ? WHERE id = "
                + "(SELECT id FROM baseline_jobs WHERE state = 'QUEUED' AND due_at <= ? ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id");
            PreparedStatement report = c.prepareStatement("UPDATE baseline_jobs SET state = 'SUCCEEDED' WHERE id = ? AND lease_token = ?")) {
          c.setAutoCommit(false);
          long token = seed << 32;
          while (true) {
            claim.setLong(1, ++token);
            claim.setLong(2, Long.MAX_VALUE);
            long id;
            try (ResultSet rs = claim.executeQuery()) {
              if (!rs.next()) {
                c.commit();
                return n;
              }
              id = rs.getLong(1);
            }
            c.commit();
            report.setLong(1, id);
            report.setLong(2, token);
            report.executeUpdate();
            c.commit();
            n++;
          }
        }
      }));
    }
    int total = 0;
    for (Future<Integer> f : done) {
      total += f.get(10, TimeUnit.MINUTES);
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Run(total / seconds, total == 0 ? 0 : (Gauges.postgresCpuSeconds() - cpuBefore) * 1000 / total,
        total == 0 ? 0 : (Gauges.processCpuSeconds() - clientBefore) * 1000 / total, (Gauges.hostBusySeconds() - hostBefore) / seconds);
  }
}
