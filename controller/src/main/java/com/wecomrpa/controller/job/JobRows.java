package com.wecomrpa.controller.job;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.WireCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/** How a job and an execution are read from their rows, and the small conversions around them. */
final class JobRows {
  static final String JOB_COLUMNS =
      "id, source_kind, source_id, account_id, group_id, customer_id, action, params, state, reason, attempts, priority,"
          + " not_before, expires_at, lease_token, lease_expires_at, agent_id, device_id, created_at, updated_at, decided_by, wait_until, wait_note, touch, guard, verify_since";
  static final String EXEC_COLUMNS =
      "id, job_id, attempt, lease_token, agent_id, device_id, leased_at, started_at, finished_at,"
          + " outcome, failed_step, error, screenshot, script_version, evidence, note";
  private static final TypeReference<Map<String, String>> PARAMS = new TypeReference<>() {};
  private static final ObjectMapper JSON = WireCodec.mapper();

  private JobRows() {}

  /** The job, its row locked for the rest of the transaction; empty if there is none. */
  static java.util.Optional<Job> lock(java.sql.Connection c, String jobId) throws SQLException {
    return com.wecomrpa.controller.store.Sql.one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE", JobRows::job, jobId);
  }

  static Job job(ResultSet rs) throws SQLException {
    Long expires = Sql.nullableLong(rs, "lease_expires_at");
    return new Job(
        rs.getString("id"),
        rs.getString("source_kind"),
        rs.getString("source_id"),
        rs.getString("account_id"),
        rs.getString("group_id"),
        rs.getString("customer_id"),
        rs.getString("action"),
        readParams(rs.getString("params")),
        JobState.valueOf(rs.getString("state")),
        rs.getString("reason"),
        rs.getInt("attempts"),
        rs.getInt("priority"),
        instant(Sql.nullableLong(rs, "not_before")),
        instant(Sql.nullableLong(rs, "expires_at")),
        rs.getLong("lease_token"),
        expires == null ? null : Instant.ofEpochMilli(expires),
        rs.getString("agent_id"),
        rs.getString("device_id"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        rs.getString("decided_by"),
        instant(Sql.nullableLong(rs, "wait_until")),
        rs.getString("wait_note"),
        rs.getString("touch"),
        rs.getString("guard"),
        instant(Sql.nullableLong(rs, "verify_since")));
  }

  static Execution execution(ResultSet rs) throws SQLException {
    return new Execution(
        rs.getLong("id"),
        rs.getString("job_id"),
        rs.getInt("attempt"),
        rs.getLong("lease_token"),
        rs.getString("agent_id"),
        rs.getString("device_id"),
        instant(Sql.nullableLong(rs, "leased_at")),
        instant(Sql.nullableLong(rs, "started_at")),
        instant(Sql.nullableLong(rs, "finished_at")),
        rs.getString("outcome"),
        rs.getString("failed_step"),
        rs.getString("error"),
        rs.getString("screenshot") != null,
        rs.getString("script_version"),
        rs.getString("evidence"),
        rs.getString("note"));
  }

  static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  static Long millis(Instant i) {
    return i == null ? null : i.toEpochMilli();
  }

  static String describe(AgentJobReport r) {
    return (r.failedStep() == null ? "" : "step " + r.failedStep() + ": ") + (r.error() == null ? r.outcome().name() : r.error());
  }

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  static String writeParams(Map<String, String> params) {
    try {
      return JSON.writeValueAsString(params);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Map<String, String> readParams(String text) {
    try {
      return JSON.readValue(text, PARAMS);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable job params: " + text, e);
    }
  }

}
