package com.wecomrpa.controller.job;

import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Whether the client can find a group. A group it could not find (renamed in the client,
 * dissolved, the bot removed) is unreachable: its queued jobs are held, with the evidence (job,
 * execution, step), until an operator renames it, retries it, or confirms it gone.
 */
public final class Reachability {
  /** What {@code decided_by} says on a job held because the client could not find its group. */
  public static final String HOLDS = "group-reachability";

  private Reachability() {}

  /** Marks the group unreachable and says so on every job of it that now waits. */
  static void markUnreachable(Connection c, String groupId, String jobId, long executionId, String why, Instant now) throws SQLException {
    Sql.update(
        c,
        "UPDATE chat_groups SET reachability = 'unreachable', unreachable_reason = ?, unreachable_since = ?, unreachable_job = ?,"
            + " unreachable_execution = ? WHERE id = ? AND reachability <> 'gone'",
        JobRows.truncate(why, 1000), now.toEpochMilli(), jobId, executionId, groupId);
    Sql.update(
        c,
        "UPDATE jobs SET reason = ?, decided_by = '" + HOLDS + "', updated_at = ? WHERE group_id = ? AND state = 'QUEUED' AND id <> ?",
        "held: group " + groupId + " unreachable (job " + jobId + " did not find it)", now.toEpochMilli(), groupId, jobId);
  }

  /**
   * An operator holds the group (a shop asked for quiet, a name about to change): nothing is sent
   * to it until it is released; its queued jobs say why they wait. False if it was not reachable.
   */
  public static boolean hold(Connection c, String groupId, String why, Instant now) throws SQLException {
    int n = Sql.update(
        c,
        "UPDATE chat_groups SET reachability = 'unreachable', unreachable_reason = ?, unreachable_since = ?, unreachable_job = NULL,"
            + " unreachable_execution = NULL WHERE id = ? AND reachability = 'ok'",
        JobRows.truncate(why, 1000), now.toEpochMilli(), groupId);
    if (n == 1) {
      Sql.update(c, "UPDATE jobs SET reason = ?, decided_by = '" + HOLDS + "', updated_at = ? WHERE group_id = ? AND state = 'QUEUED'",
          "held: group " + groupId + " " + why, now.toEpochMilli(), groupId);
    }
    return n == 1;
  }

  /** The group can be tried again (renamed, or an operator asked to retry): its held jobs go on. */
  public static int release(Connection c, String groupId, String why, Instant now) throws SQLException {
    int n = Sql.update(
        c,
        "UPDATE chat_groups SET reachability = 'ok', unreachable_reason = NULL, unreachable_since = NULL, unreachable_job = NULL,"
            + " unreachable_execution = NULL WHERE id = ? AND reachability = 'unreachable'",
        groupId);
    if (n == 1) {
      Sql.update(c, "UPDATE jobs SET reason = ?, decided_by = NULL, updated_at = ? WHERE group_id = ? AND state = 'QUEUED'",
          "released: " + why, now.toEpochMilli(), groupId);
      JdbcAlertStore.resolveAbout(c, JdbcAlertStore.subject("group", groupId), "itself", why, now);
    }
    return n;
  }

  /** The group's name in the client changed: its jobs that have not run yet look for the new one. */
  public static int renamed(Connection c, String groupId, String name, Instant now) throws SQLException {
    int n = 0;
    for (String[] row : Sql.list(c, "SELECT id, params FROM jobs WHERE group_id = ? AND state IN ('QUEUED', 'UNKNOWN')",
        rs -> new String[] {rs.getString(1), rs.getString(2)}, groupId)) {
      java.util.Map<String, String> params = new java.util.LinkedHashMap<>(JobRows.readParams(row[1]));
      if (params.containsKey("group_name")) {
        params.put("group_name", name);
        n += Sql.update(c, "UPDATE jobs SET params = ?, updated_at = ? WHERE id = ?", JobRows.writeParams(params), now.toEpochMilli(), row[0]);
      }
    }
    return n;
  }

  /** The group is gone for good: its waiting jobs end CANCELLED, saying why. Returns how many. */
  public static int confirmGone(Connection c, String groupId, String why, Instant now) throws SQLException {
    Sql.update(c, "UPDATE chat_groups SET reachability = 'gone' WHERE id = ?", groupId);
    JdbcAlertStore.resolveAbout(c, JdbcAlertStore.subject("group", groupId), "itself", "group confirmed gone: " + why, now);
    return Sql.update(
        c,
        "UPDATE jobs SET state = 'CANCELLED', reason = ?, updated_at = ? WHERE group_id = ? AND state IN ('QUEUED', 'UNKNOWN')",
        "group confirmed gone: " + why, now.toEpochMilli(), groupId);
  }
}
