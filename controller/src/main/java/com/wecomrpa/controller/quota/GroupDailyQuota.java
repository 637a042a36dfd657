package com.wecomrpa.controller.quota;

import com.wecomrpa.controller.store.Dialect;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.LocalDate;

/**
 * Posts per group per calendar day. A reservation is one conditional UPDATE on the (group, day) row,
 * so the database's row lock makes it atomic across threads and controller nodes: concurrent
 * reservations queue on the row and each sees the count the one before it committed.
 */
public final class GroupDailyQuota {
  private final int postsPerGroupPerDay;

  public GroupDailyQuota(int postsPerGroupPerDay) {
    if (postsPerGroupPerDay < 0) {
      throw new IllegalArgumentException("postsPerGroupPerDay must be >= 0");
    }
    this.postsPerGroupPerDay = postsPerGroupPerDay;
  }

  /** Where welcomes come from: a group's posts of the day are its SOP and broadcast posts, not its welcomes. */
  public static final String WELCOME_SOURCE = "welcome";
  /** Where anti-spam warnings come from: no post of the group's day either. */
  public static final String SPAM_SOURCE = "spam";

  /**
   * Whether a job spends one of its group's posts of the day: a post into a group (any content
   * kind), except a welcome or an anti-spam warning; removing a member or anything else done in a group does not.
   */
  public static boolean countsAsPost(String groupId, String action, String sourceKind) {
    return groupId != null && action.startsWith("send_group_") && !WELCOME_SOURCE.equals(sourceKind) && !SPAM_SOURCE.equals(sourceKind);
  }

  public int cap() {
    return postsPerGroupPerDay;
  }

  /** Takes one post of {@code groupId}'s budget for {@code day}; false when the day is used up. */
  public boolean reserve(Connection c, String groupId, LocalDate day) throws SQLException {
    return reserve(c, groupId, day, postsPerGroupPerDay);
  }

  /** As {@link #reserve(Connection, String, LocalDate)} under the account's own cap. */
  public boolean reserve(Connection c, String groupId, LocalDate day, int cap) throws SQLException {
    if (cap <= 0) {
      return false;
    }
    if (com.wecomrpa.controller.store.Dialect.of(c) == com.wecomrpa.controller.store.Dialect.POSTGRESQL) {
      // One statement, the day's first post included: the row's lock or the insert's key decides.
      java.util.List<Object> args = new java.util.ArrayList<>();
      return Sql.list(c, reserveInOneSql(groupId, day, cap, args), rs -> 1, args.toArray()).size() == 1;
    }
    if (takeOne(c, groupId, day, cap)) {
      return true;
    }
    // First post of the day: create the row. Another transaction may create it first; the savepoint
    // keeps our transaction usable (PostgreSQL aborts a transaction on a failed statement).
    Savepoint sp = c.setSavepoint();
    try {
      Sql.update(c, "INSERT INTO group_day_usage (group_id, usage_day, used) VALUES (?, ?, 1)", groupId, day);
      c.releaseSavepoint(sp);
      return true;
    } catch (SQLException duplicate) {
      c.rollback(sp);
      if (!Dialect.duplicateKey(duplicate)) {
        throw duplicate;
      }
      return takeOne(c, groupId, day, cap);
    }
  }

  /**
   * PostgreSQL: the reservation of {@link #reserve(Connection, String, LocalDate, int)} as one
   * statement to run inside a WITH, answering a row when it reserved; its arguments are added to
   * {@code args}. A claim that read the day's count under its account's lock reserves so with the lease.
   */
  public static String reserveInOneSql(String groupId, LocalDate day, int cap, java.util.List<Object> args) {
    args.addAll(java.util.List.of(groupId, java.sql.Date.valueOf(day), cap));
    return "INSERT INTO group_day_usage (group_id, usage_day, used) VALUES (?, ?, 1)"
        + " ON CONFLICT (group_id, usage_day) DO UPDATE SET used = group_day_usage.used + 1 WHERE group_day_usage.used < ? RETURNING 1";
  }

  /**
   * PostgreSQL: reserves, inside a WITH, one post of the day for each row of {@code rows} (the name
   * of a WITH before it, with columns group_id, usage_day and cap; a row without a group reserves
   * nothing), each only while its group's day is under its cap; answers the group_id of each
   * reserved. The leases of several claims reserve so in one statement.
   */
  public static String reserveEachSql(String rows) {
    return "INSERT INTO group_day_usage AS u (group_id, usage_day, used) SELECT group_id, usage_day, 1 FROM " + rows + " WHERE group_id IS NOT NULL"
        + " ON CONFLICT (group_id, usage_day) DO UPDATE SET used = u.used + 1"
        + " WHERE u.used < (SELECT x.cap FROM " + rows + " x WHERE x.group_id = u.group_id AND x.usage_day = u.usage_day) RETURNING u.group_id";
  }

  /**
   * A column for another package's read of jobs: the posts taken on the day of the ({@code ?})
   * argument by the group of the job row read ({@code jobs.group_id}), 0 for none.
   */
  public static final String USED_BY_JOBS_GROUP_ON = usedByJobsGroupOn("?");

  /** {@link #USED_BY_JOBS_GROUP_ON} on the day {@code day} (an SQL expression) gives. */
  public static String usedByJobsGroupOn(String day) {
    return "COALESCE((SELECT u.used FROM group_day_usage u WHERE u.group_id = jobs.group_id AND u.usage_day = " + day + "), 0)";
  }

  /** Gives a post back after a definite failure (nothing was sent). */
  public void release(Connection c, String groupId, LocalDate day) throws SQLException {
    Sql.update(c, "UPDATE group_day_usage SET used = used - 1 WHERE group_id = ? AND usage_day = ? AND used > 0", groupId, day);
  }

  /** Posts of the group's day taken (sent, on their way, or maybe sent): the one count of them. */
  public static int used(Connection c, String groupId, LocalDate day) throws SQLException {
    return (int) Sql.count(c, "SELECT used FROM group_day_usage WHERE group_id = ? AND usage_day = ?", groupId, day);
  }

  /** Each of the account's groups with its posts taken on {@code day} (0 for none), by group id. */
  public static java.util.Map<String, Integer> usedByGroup(Connection c, String accountId, LocalDate day) throws SQLException {
    java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
    Sql.list(c,
        "SELECT g.id, COALESCE(u.used, 0) FROM chat_groups g LEFT JOIN group_day_usage u ON u.group_id = g.id AND u.usage_day = ? WHERE g.account_id = ? ORDER BY g.id",
        rs -> out.put(rs.getString(1), rs.getInt(2)), java.sql.Date.valueOf(day), accountId);
    return out;
  }

  private static boolean takeOne(Connection c, String groupId, LocalDate day, int cap) throws SQLException {
    return Sql.update(
            c,
            "UPDATE group_day_usage SET used = used + 1 WHERE group_id = ? AND usage_day = ? AND used < ?",
            groupId,
            day,
            cap)
        == 1;
  }
}
