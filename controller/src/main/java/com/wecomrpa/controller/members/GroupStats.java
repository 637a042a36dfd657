package com.wecomrpa.controller.members;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups day by day, in their account's time zone: members at the end of the day (the size as
 * last heard, walked back through the joins and leaves heard after), joins, leaves, removals,
 * messages from customers, and our posts that succeeded.
 */
public final class GroupStats {
  public record Day(String day, Integer members, int joins, int leaves, int removals, int customerMessages, int ourPosts) {}

  public record OfGroup(String groupId, String name, String accountId, List<Day> days) {}

  /** Sums over groups (an account's or a tag's) for the period, with each group's sums. */
  public record Totals(String from, String to, int groups, int joins, int leaves, int removals, int customerMessages, int ourPosts, List<OfGroup> byGroup) {}

  static final int MAX_DAYS = 92;

  private final Database db;

  public GroupStats(Database db) {
    this.db = db;
  }

  public OfGroup ofGroup(String groupId, String from, String to, LocalDate today) {
    LocalDate[] period = period(from, to, today);
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", groupId) == 0) {
        throw Rejected.notFound("id", "group " + groupId + " not found");
      }
      return group(c, groupId, period[0], period[1]);
    });
  }

  /** Every group of an account ({@code accountId}), with a tag ({@code tag}), or both: the account's groups with the tag. */
  public Totals totals(String accountId, String tag, String from, String to, LocalDate today) {
    if (accountId == null && tag == null) {
      throw Rejected.invalid("accountId", "give accountId, tag or both");
    }
    LocalDate[] period = period(from, to, today);
    return db.inTransaction(c -> {
      List<String> ids = tag == null
          ? Sql.list(c, "SELECT id FROM chat_groups WHERE account_id = ? ORDER BY id LIMIT 1000", rs -> rs.getString(1), accountId)
          : accountId == null
              ? Sql.list(c, "SELECT group_id FROM group_tags WHERE tag = ? ORDER BY group_id LIMIT 1000", rs -> rs.getString(1), tag)
              : Sql.list(c, "SELECT g.id FROM chat_groups g JOIN group_tags t ON t.group_id = g.id WHERE g.account_id = ? AND t.tag = ? ORDER BY g.id LIMIT 1000",
                  rs -> rs.getString(1), accountId, tag);
      List<OfGroup> groups = new ArrayList<>();
      for (String id : ids) {
        groups.add(group(c, id, period[0], period[1]));
      }
      return new Totals(period[0].toString(), period[1].toString(), groups.size(), sum(groups, Day::joins), sum(groups, Day::leaves), sum(groups, Day::removals),
          sum(groups, Day::customerMessages), sum(groups, Day::ourPosts), groups);
    });
  }

  private static int sum(List<OfGroup> groups, java.util.function.ToIntFunction<Day> f) {
    return groups.stream().flatMap(g -> g.days().stream()).mapToInt(f).sum();
  }

  private static OfGroup group(Connection c, String groupId, LocalDate from, LocalDate to) throws SQLException {
    record G(String name, String accountId, String zone) {}
    G g = Sql.one(c, "SELECT g.name, g.account_id, a.time_zone FROM chat_groups g JOIN accounts a ON a.id = g.account_id WHERE g.id = ?",
        rs -> new G(rs.getString(1), rs.getString(2), rs.getString(3)), groupId).orElseThrow();
    ZoneId zone = ZoneId.of(g.zone());
    Integer now = GroupSizes.estimate(c, groupId);
    List<Day> days = new ArrayList<>();
    for (LocalDate d = to; !d.isBefore(from); d = d.minusDays(1)) {
      long start = d.atStartOfDay(zone).toInstant().toEpochMilli();
      long end = d.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
      int joins = (int) Sql.count(c, "SELECT COUNT(*) FROM member_events WHERE group_id = ? AND event = 'joined' AND at >= ? AND at < ?", groupId, start, end);
      int leaves = (int) Sql.count(c, "SELECT COUNT(*) FROM member_events WHERE group_id = ? AND event IN ('left', 'removed') AND at >= ? AND at < ?", groupId, start, end);
      int removals = (int) Sql.count(c, "SELECT COUNT(*) FROM member_events WHERE group_id = ? AND event = 'removed' AND at >= ? AND at < ?", groupId, start, end);
      int said = (int) Sql.count(c, "SELECT COUNT(*) FROM messages WHERE group_id = ? AND mine = FALSE AND kind <> 'system' AND said_at >= ? AND said_at < ?",
          groupId, start, end);
      int posts = (int) Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE group_id = ? AND state = 'SUCCEEDED' AND action LIKE 'send_group_%' AND updated_at >= ?"
          + " AND updated_at < ?", groupId, start, end);
      Integer members = null;
      if (now != null) {
        long after = Sql.count(c, "SELECT COUNT(*) FROM member_events WHERE group_id = ? AND event = 'joined' AND at >= ?", groupId, end)
            - Sql.count(c, "SELECT COUNT(*) FROM member_events WHERE group_id = ? AND event IN ('left', 'removed') AND at >= ?", groupId, end);
        members = (int) (now - after);
      }
      days.add(new Day(d.toString(), members, joins, leaves, removals, said, posts));
    }
    return new OfGroup(groupId, g.name(), g.accountId(), days);
  }

  /** {@code from}..{@code to} as days (default: the last 7 days to today), at most {@link #MAX_DAYS}. */
  private static LocalDate[] period(String from, String to, LocalDate today) {
    LocalDate t = day("to", to, today);
    LocalDate f = day("from", from, t.minusDays(6));
    if (f.isAfter(t)) {
      throw Rejected.invalid("from", "from " + f + " is after to " + t);
    }
    if (f.plusDays(MAX_DAYS).isBefore(t)) {
      throw Rejected.invalid("from", "at most " + MAX_DAYS + " days at a time");
    }
    return new LocalDate[] {f, t};
  }

  private static LocalDate day(String field, String value, LocalDate fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return LocalDate.parse(value.trim());
    } catch (DateTimeException e) {
      throw Rejected.invalid(field, field + " '" + value + "' must be a date like 2026-12-01");
    }
  }
}
