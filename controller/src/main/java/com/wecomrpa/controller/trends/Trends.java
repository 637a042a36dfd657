package com.wecomrpa.controller.trends;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the farm has been doing, from what is stored: attempts per hour (sent, failed, unknown) and
 * skips per hour, and failure and skip rates by device, account and script version, over the last
 * day or week. An attempt counts in the hour it finished; a skip in the hour it was decided.
 */
public final class Trends {
  /** One hour (UTC, its start): attempts by outcome, and skips. */
  public record Hour(Instant hour, int sent, int failed, int unknown, int skipped) {}

  /** One device, account or script version: its attempts and skips, with the rates that matter. */
  public record Row(String key, int sent, int failed, int unknown, int skipped, double failureRate, double skipRate) {}

  public record Report(Instant from, Instant to, List<Hour> hours, List<Row> byDevice, List<Row> byAccount, List<Row> byScript) {}

  private final Database db;

  public Trends(Database db) {
    this.db = db;
  }

  public Report over(Duration span, Instant now) {
    Instant to = now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    Instant from = to.minus(span);
    long lo = from.toEpochMilli();
    long hi = to.toEpochMilli();
    return db.inTransaction(c -> {
      Map<Long, int[]> hours = new TreeMap<>();
      for (long h = lo; h < hi; h += 3_600_000L) {
        hours.put(h, new int[4]);
      }
      for (Object[] r : attempts(c, "e.finished_at - MOD(e.finished_at, 3600000)", lo, hi)) {
        add(hours.get(((Number) r[0]).longValue()), (String) r[1], (Integer) r[2]);
      }
      for (Object[] r : skips(c, "updated_at - MOD(updated_at, 3600000)", lo, hi)) {
        int[] h = hours.get(((Number) r[0]).longValue());
        if (h != null) {
          h[3] += (Integer) r[1];
        }
      }
      List<Hour> perHour = new ArrayList<>();
      hours.forEach((h, n) -> perHour.add(new Hour(Instant.ofEpochMilli(h), n[0], n[1], n[2], n[3])));
      return new Report(from, to, perHour, rows(c, "e.device_id", null, lo, hi), rows(c, "j.account_id", "account_id", lo, hi),
          rows(c, "COALESCE(e.script_version, '(unknown)')", null, lo, hi));
    });
  }

  private static void add(int[] h, String outcome, int n) {
    if (h == null) {
      return;
    }
    switch (outcome) {
      case "SUCCEEDED" -> h[0] += n;
      case "FAILED" -> h[1] += n;
      default -> h[2] += n;
    }
  }

  private static List<Object[]> attempts(Connection c, String key, long lo, long hi) throws SQLException {
    return Sql.list(c, "SELECT " + key + ", e.outcome, COUNT(*) FROM executions e JOIN jobs j ON j.id = e.job_id"
            + " WHERE e.finished_at >= ? AND e.finished_at < ? AND e.outcome IS NOT NULL GROUP BY " + key + ", e.outcome",
        rs -> new Object[] {rs.getObject(1), rs.getString(2), rs.getInt(3)}, lo, hi);
  }

  private static List<Object[]> skips(Connection c, String key, long lo, long hi) throws SQLException {
    return Sql.list(c, "SELECT " + key + ", COUNT(*) FROM jobs WHERE state = 'SKIPPED' AND updated_at >= ? AND updated_at < ? GROUP BY " + key,
        rs -> new Object[] {rs.getObject(1), rs.getInt(2)}, lo, hi);
  }

  /** Rows by one key; {@code skipKey} is the jobs column skips are counted by (none for devices and scripts: a skip has no attempt). */
  private static List<Row> rows(Connection c, String key, String skipKey, long lo, long hi) throws SQLException {
    Map<String, int[]> by = new TreeMap<>();
    for (Object[] r : attempts(c, key, lo, hi)) {
      add(by.computeIfAbsent(String.valueOf(r[0]), k -> new int[4]), (String) r[1], (Integer) r[2]);
    }
    if (skipKey != null) {
      for (Object[] r : skips(c, skipKey, lo, hi)) {
        by.computeIfAbsent(String.valueOf(r[0]), k -> new int[4])[3] += (Integer) r[1];
      }
    }
    List<Row> out = new ArrayList<>();
    by.forEach((k, n) -> {
      int attempts = n[0] + n[1] + n[2];
      out.add(new Row(k, n[0], n[1], n[2], n[3], attempts == 0 ? 0 : round((double) (n[1] + n[2]) / attempts),
          skipKey == null || attempts + n[3] == 0 ? 0 : round((double) n[3] / (attempts + n[3]))));
    });
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
