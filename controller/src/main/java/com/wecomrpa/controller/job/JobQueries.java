package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Read models of jobs and their executions, for the API and the reports. */
public final class JobQueries {
  private final Database db;

  public JobQueries(Database db) {
    this.db = db;
  }

  public Optional<Job> find(String id) {
    return db.inTransaction(c -> Sql.one(c, "SELECT " + JobRows.JOB_COLUMNS + " FROM jobs WHERE id = ?", JobRows::job, id));
  }

  /** Jobs filtered by source, group and state (each may be null), oldest first. */
  public List<Job> list(String sourceId, String groupId, JobState state, int limit) {
    return list(new Filter(sourceId, groupId, null, null, null, state, null, null, false, null), limit);
  }

  /**
   * What the jobs list is narrowed by: each field may be null. {@code from}/{@code to} bound the
   * job's last change; {@code newestFirst} turns the order round.
   */
  public record Filter(String sourceId, String groupId, String customerId, String accountId, String deviceId, JobState state, Instant from, Instant to,
      boolean newestFirst, String rule) {}

  public List<Job> list(Filter f, int limit) {
    return page(f, limit, 0).jobs();
  }

  /** One page of the jobs a filter matches, and how many it matches in all. */
  public record Page(List<Job> jobs, long total) {}

  public Page page(Filter f, int limit, int offset) {
    return db.inTransaction(
        c -> {
          StringBuilder where = new StringBuilder(" FROM jobs WHERE 1 = 1");
          List<Object> args = new ArrayList<>();
          where(where, args, "source_id = ?", f.sourceId());
          where(where, args, "group_id = ?", f.groupId());
          where(where, args, "customer_id = ?", f.customerId());
          where(where, args, "account_id = ?", f.accountId());
          // A job's device is its last lease's; earlier attempts are in its executions.
          where(where, args, "(device_id = ? OR id IN (SELECT job_id FROM executions WHERE device_id = ?))", f.deviceId(), f.deviceId());
          where(where, args, "state = ?", f.state() == null ? null : f.state().name());
          // The claim rule that skipped or holds a job (its decided_by), e.g. quota:group-daily.
          where(where, args, "decided_by = ?", f.rule());
          where(where, args, "updated_at >= ?", f.from() == null ? null : f.from().toEpochMilli());
          where(where, args, "updated_at < ?", f.to() == null ? null : f.to().toEpochMilli());
          String sql = "SELECT " + JobRows.JOB_COLUMNS + where + " ORDER BY seq" + (f.newestFirst() ? " DESC" : "") + " LIMIT " + limit + " OFFSET " + offset;
          List<Job> jobs = Sql.list(c, sql, JobRows::job, args.toArray());
          // The total is counted only when the page may not hold everything.
          long total = offset == 0 && jobs.size() < limit ? jobs.size() : Sql.count(c, "SELECT COUNT(*)" + where, args.toArray());
          return new Page(jobs, total);
        });
  }

  private static void where(StringBuilder sql, List<Object> args, String condition, Object... values) {
    if (values[0] != null) {
      sql.append(" AND ").append(condition);
      args.addAll(java.util.Arrays.asList(values));
    }
  }

  /** How many jobs of one source are in each state. */
  public Map<JobState, Integer> countsBySource(String sourceId) {
    return db.inTransaction(
        c -> {
          Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
          for (JobState s : JobState.values()) {
            counts.put(s, 0);
          }
          Sql.list(
                  c,
                  "SELECT state, COUNT(*) FROM jobs WHERE source_id = ? GROUP BY state",
                  rs -> Map.entry(JobState.valueOf(rs.getString(1)), rs.getInt(2)),
                  sourceId)
              .forEach(e -> counts.put(e.getKey(), e.getValue()));
          return counts;
        });
  }

  /**
   * What the queued jobs of one source wait for: the rule that holds or delays each
   * ({@code group-reachability}, {@code account-status}, a claim rule), or {@code due} for a job
   * that only waits its turn on a device.
   */
  public Map<String, Integer> waitingBySource(String sourceId) {
    return db.inTransaction(c -> {
      Map<String, Integer> out = new java.util.TreeMap<>();
      Sql.list(c, "SELECT decided_by, COUNT(*) FROM jobs WHERE source_id = ? AND state = 'QUEUED' GROUP BY decided_by",
          rs -> Map.entry(rs.getString(1) == null ? "due" : rs.getString(1), rs.getInt(2)), sourceId)
          .forEach(e -> out.merge(e.getKey(), e.getValue(), Integer::sum));
      return out;
    });
  }

  /** Device time of the successful sends of one source, start to confirmation. */
  public SendTimes sendTimes(String sourceId) {
    List<Long> millis =
        db.inTransaction(
            c ->
                Sql.list(
                    c,
                    "SELECT e.finished_at - e.started_at FROM executions e JOIN jobs j ON j.id = e.job_id"
                        + " WHERE j.source_id = ? AND e.outcome = 'SUCCEEDED' AND e.started_at IS NOT NULL ORDER BY 1",
                    rs -> rs.getLong(1),
                    sourceId));
    return SendTimes.of(millis);
  }

  public List<Execution> executions(String jobId) {
    return db.inTransaction(
        c -> Sql.list(c, "SELECT " + JobRows.EXEC_COLUMNS + " FROM executions WHERE job_id = ? ORDER BY id", JobRows::execution, jobId));
  }

  public Optional<String> screenshotPath(long executionId) {
    return db.inTransaction(
        c -> Sql.one(c, "SELECT screenshot FROM executions WHERE id = ? AND screenshot IS NOT NULL", rs -> rs.getString(1), executionId));
  }

  /** A device's last failed attempt: which job, at which step, with what error, when. */
  public record LastFailure(String jobId, String step, String error, String at) {}

  /** Each device's last failed attempt and the address of its last screenshot, where there is one. */
  public record DeviceEvidence(Map<String, LastFailure> lastFailure, Map<String, String> lastScreenshot) {}

  public DeviceEvidence evidence(List<String> deviceIds) {
    Map<String, LastFailure> failures = new java.util.HashMap<>();
    Map<String, String> shots = new java.util.HashMap<>();
    if (deviceIds.isEmpty()) {
      return new DeviceEvidence(failures, shots);
    }
    String in = String.join(",", java.util.Collections.nCopies(deviceIds.size(), "?"));
    db.inTransaction(c -> {
      Sql.list(c, "SELECT e.device_id, e.job_id, e.failed_step, e.error, e.finished_at FROM executions e WHERE e.id IN"
              + " (SELECT MAX(id) FROM executions WHERE device_id IN (" + in + ") AND outcome IS NOT NULL AND outcome <> 'SUCCEEDED' GROUP BY device_id)",
          rs -> {
            long at = rs.getLong(5);
            String when = rs.wasNull() ? null : Instant.ofEpochMilli(at).toString();
            return failures.put(rs.getString(1), new LastFailure(rs.getString(2), rs.getString(3), rs.getString(4), when));
          }, deviceIds.toArray());
      Sql.list(c, "SELECT device_id, MAX(id) FROM executions WHERE device_id IN (" + in + ") AND screenshot IS NOT NULL GROUP BY device_id",
          rs -> shots.put(rs.getString(1), "/api/v1/executions/" + rs.getLong(2) + "/screenshot"), deviceIds.toArray());
      return null;
    });
    return new DeviceEvidence(failures, shots);
  }

  /** How many jobs took each of these states since {@code since} (zero for a state none took). */
  public Map<String, Integer> endedSince(Instant since, List<JobState> states) {
    return countByState("updated_at >= ? AND", states, since.toEpochMilli());
  }

  /** How many jobs are in each of these states now. */
  public Map<String, Integer> countNow(List<JobState> states) {
    return countByState("", states);
  }

  /** Auto-replies that took each of these states since {@code since}. */
  public Map<String, Integer> repliesEndedSince(Instant since, List<JobState> states) {
    return countByState("source_kind = 'reply' AND updated_at >= ? AND", states, since.toEpochMilli());
  }

  /** Broadcasts with work left (queued, leased or running), by id, at most {@code limit}. */
  public List<String> broadcastsWithWorkLeft(int limit) {
    return db.inTransaction(c -> Sql.list(c,
        "SELECT DISTINCT source_id FROM jobs WHERE source_kind = 'broadcast' AND state IN ('QUEUED', 'LEASED', 'RUNNING') ORDER BY source_id LIMIT " + limit,
        rs -> rs.getString(1)));
  }

  private Map<String, Integer> countByState(String where, List<JobState> states, Object... args) {
    Map<String, Integer> out = new java.util.LinkedHashMap<>();
    states.forEach(s -> out.put(s.name(), 0));
    String in = String.join(", ", states.stream().map(s -> "'" + s.name() + "'").toList());
    db.inTransaction(c -> Sql.list(c, "SELECT state, COUNT(*) FROM jobs WHERE " + where + " state IN (" + in + ") GROUP BY state",
        rs -> out.put(rs.getString(1), rs.getInt(2)), args));
    return out;
  }
}
