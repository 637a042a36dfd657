package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The job state changes other parts of the controller decide, each by name, in the caller's
 * transaction: the SOP ranking puts a post out of (or back into) its group's day, a plan's new
 * version withdraws its future posts, a customer leaving a sequence ends its waiting steps. (Queue,
 * lease, start, report and expire are {@link JobIntake}, {@link JobClaims}, {@link JobReports} and
 * {@link LeaseExpiry}; a group the client cannot find is {@link Reachability}.)
 */
public final class JobTransitions {
  /** Who decides a post has no place in its group's day: the SOP ranking ahead of time, the claim's cap rule at the last moment. */
  public static final String RANKED_OUT = "sop-ranking";
  public static final java.util.List<String> DAY_FULL = java.util.List.of(RANKED_OUT, com.wecomrpa.controller.admission.GroupDailyCapRule.NAME);
  public static final String DAY_FULL_SQL = "('" + String.join("', '", DAY_FULL) + "')";

  /** The ranking found no place for this post in its group's day: SKIPPED, naming what won. */
  public void rankedOut(Connection c, String jobId, String reason, Instant now) throws SQLException {
    Sql.update(c, "UPDATE jobs SET state = 'SKIPPED', reason = ?, decided_by = ?, wait_until = NULL, wait_note = NULL, updated_at = ? WHERE id = ? AND state IN ('QUEUED', 'SKIPPED')",
        reason, RANKED_OUT, now.toEpochMilli(), jobId);
  }

  /** A post the ranking had put out wins its place back (the plan that beat it was withdrawn). */
  public void rankedIn(Connection c, String jobId, Instant now) throws SQLException {
    Sql.update(c, "UPDATE jobs SET state = 'QUEUED', reason = NULL, decided_by = NULL, updated_at = ? WHERE id = ? AND state = 'SKIPPED'",
        now.toEpochMilli(), jobId);
  }

  /** A plan's posts not yet due are CANCELLED: its next version (or its pause or deletion) replaces them. */
  public int withdrawPlanFuture(Connection c, String planId, Instant now, String why) throws SQLException {
    return Sql.update(
        c,
        "UPDATE jobs SET state = 'CANCELLED', reason = ?, updated_at = ? WHERE source_kind = 'plan' AND source_id = ?"
            + " AND (state = 'QUEUED' OR (state = 'SKIPPED' AND decided_by IN " + DAY_FULL_SQL + ")) AND not_before > ?",
        why, now.toEpochMilli(), planId, now.toEpochMilli());
  }

  /** A customer left a plan's sequence: its waiting steps for that customer are CANCELLED. */
  public int endCustomerSequence(Connection c, String planId, String customerId, String why, Instant now) throws SQLException {
    return Sql.update(c, "UPDATE jobs SET state = 'CANCELLED', reason = ?, updated_at = ? WHERE source_kind = 'plan' AND source_id = ? AND customer_id = ? AND state = 'QUEUED'",
        why, now.toEpochMilli(), planId, customerId);
  }

  /**
   * A handover: the queued jobs of one group or customer move with it to the receiving account,
   * waiting notes cleared. Leased, running and maybe-sent jobs stay where they are (see
   * {@link #stayingBehind}). Returns how many moved.
   */
  public int rehome(Connection c, boolean group, String targetId, String from, String to, Instant now) throws SQLException {
    return Sql.update(c, "UPDATE jobs SET account_id = ?, wait_note = NULL, decided_by = NULL, wait_until = NULL, updated_at = ? WHERE "
        + (group ? "group_id" : "customer_id") + " = ? AND account_id = ? AND state = 'QUEUED'", to, now.toEpochMilli(), targetId, from);
  }

  /** Jobs of the target still with the giving account: leased or running (they finish there) or maybe sent (verified there). */
  public java.util.List<String> stayingBehind(Connection c, boolean group, String targetId, String from) throws SQLException {
    return Sql.list(c, "SELECT id FROM jobs WHERE " + (group ? "group_id" : "customer_id") + " = ? AND account_id = ? AND state IN ('LEASED', 'RUNNING', 'UNKNOWN')",
        rs -> rs.getString(1), targetId, from);
  }

  /**
   * A job queued again goes to whichever account holds its group or customer now: one leased
   * before a handover that failed without sending follows its target rather than wait on the old
   * account.
   */
  static void followTarget(Connection c, String jobId) throws SQLException {
    Sql.update(c, "UPDATE jobs SET account_id = (SELECT g.account_id FROM chat_groups g WHERE g.id = jobs.group_id) WHERE id = ? AND state = 'QUEUED'"
        + " AND group_id IS NOT NULL AND account_id <> (SELECT g.account_id FROM chat_groups g WHERE g.id = jobs.group_id)", jobId);
    Sql.update(c, "UPDATE jobs SET account_id = (SELECT u.account_id FROM customers u WHERE u.id = jobs.customer_id) WHERE id = ? AND state = 'QUEUED'"
        + " AND group_id IS NULL AND customer_id IS NOT NULL AND account_id <> (SELECT u.account_id FROM customers u WHERE u.id = jobs.customer_id)", jobId);
  }
}
