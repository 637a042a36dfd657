package com.wecomrpa.controller.members;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The one writer of {@code group_sizes}: each group's member count as its title last showed it
 * when a listen read the chat, plus the joins and leaves heard since. A group someone needs the
 * size of (a group code's pool) is "wanted": listening reads it when its count is missing or older
 * than {@link #FRESH}.
 */
public final class GroupSizes {
  public static final Duration FRESH = Duration.ofHours(1);

  private GroupSizes() {}

  /** A listen read the group's count off its title (after any lines it read, which the count includes). */
  public static void counted(Connection c, String groupId, int members, Instant now) throws SQLException {
    if (Sql.update(c, "UPDATE group_sizes SET counted = ?, counted_at = ?, joined_since = 0, left_since = 0 WHERE group_id = ?",
        members, now.toEpochMilli(), groupId) == 0) {
      Sql.update(c, "INSERT INTO group_sizes (group_id, counted, counted_at, joined_since, left_since, wanted) VALUES (?, ?, ?, 0, 0, FALSE)",
          groupId, members, now.toEpochMilli());
    }
  }

  /** A join (+1) or a leave (-1) heard since the last count. */
  static void changed(Connection c, String groupId, int by) throws SQLException {
    String column = by > 0 ? "joined_since" : "left_since";
    if (Sql.update(c, "UPDATE group_sizes SET " + column + " = " + column + " + 1 WHERE group_id = ?", groupId) == 0) {
      Sql.update(c, "INSERT INTO group_sizes (group_id, counted, counted_at, joined_since, left_since, wanted) VALUES (?, NULL, NULL, ?, ?, FALSE)",
          groupId, by > 0 ? 1 : 0, by > 0 ? 0 : 1);
    }
  }

  /** Asks listening to keep these groups' counts fresh. */
  public static void want(Connection c, Collection<String> groupIds) throws SQLException {
    for (String g : groupIds) {
      if (Sql.update(c, "UPDATE group_sizes SET wanted = TRUE WHERE group_id = ?", g) == 0) {
        Sql.update(c, "INSERT INTO group_sizes (group_id, counted, counted_at, joined_since, left_since, wanted) VALUES (?, NULL, NULL, 0, 0, TRUE)", g);
      }
    }
  }

  /** The members a group has now as far as heard: the last count plus joins less leaves since; null if never counted. */
  public static Integer estimate(Connection c, String groupId) throws SQLException {
    return Sql.one(c, "SELECT counted, joined_since, left_since FROM group_sizes WHERE group_id = ?", rs -> {
      int counted = rs.getInt(1);
      return rs.wasNull() ? null : counted + rs.getInt(2) - rs.getInt(3);
    }, groupId).orElse(null);
  }

  /** Names of the account's wanted groups whose count is missing or stale: the next listen reads them. */
  public static List<String> toCount(Connection c, String accountId, Instant now) throws SQLException {
    return Sql.list(c, "SELECT g.name FROM group_sizes s JOIN chat_groups g ON g.id = s.group_id WHERE g.account_id = ? AND s.wanted = TRUE"
        + " AND (s.counted_at IS NULL OR s.counted_at < ?) ORDER BY s.counted_at NULLS FIRST, g.id LIMIT 20", rs -> rs.getString(1), accountId,
        now.minus(FRESH).toEpochMilli());
  }
}
