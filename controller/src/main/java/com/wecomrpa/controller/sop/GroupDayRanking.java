package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.job.JobTransitions;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.Date;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, for one group and one calendar day, which planned posts fit the daily cap. The cap is
 * the account's effective one (overrides and warm-up included: the value the claim's
 * group-daily-cap rule uses), and every post to the group that day counts against it: posts on
 * their way or sent, and broadcasts due that day, keep their place; the remaining plan posts go by
 * plan priority, then time, then plan id. Posts that do not fit end SKIPPED {@code
 * quota:group-daily} naming what won. Re-run after any change, a future post can win its place back
 * (e.g. when the plan that beat it is paused).
 */
final class GroupDayRanking {
  private record Planned(String id, String planId, String state, String reason, String decidedBy, int priority, long due) {}

  private final JdbcLimitStore limits;
  private final JobTransitions transitions;

  GroupDayRanking(JdbcLimitStore limits, JobTransitions transitions) {
    this.limits = limits;
    this.transitions = transitions;
  }

  /** Returns how many posts ended up skipped for this group-day. */
  int rank(Connection c, String groupId, LocalDate day, Instant now) throws SQLException {
    Optional<String[]> account = Sql.one(c, "SELECT a.id, a.time_zone FROM chat_groups g JOIN accounts a ON a.id = g.account_id WHERE g.id = ?",
        rs -> new String[] {rs.getString(1), rs.getString(2)}, groupId);
    if (account.isEmpty()) {
      return 0;
    }
    int cap = limits.effective(c, account.get()[0], now).number(LimitName.POSTS_PER_GROUP_PER_DAY);
    ZoneId zone = ZoneId.of(account.get()[1]);
    long dayStart = day.atStartOfDay(zone).toInstant().toEpochMilli();
    long dayEnd = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
    // Posts that hold the day already (sent, on their way, or maybe sent), as the quota counts them;
    // every other kind of post due that day keeps its place too: never ranked out. Their sources
    // are read only to say what won.
    int holding = GroupDailyQuota.used(c, groupId, day);
    int othersQueued = (int) Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE group_id = ? AND source_kind <> 'plan' AND state = 'QUEUED' AND due_at >= ? AND due_at < ?",
        groupId, dayStart, dayEnd);
    List<String> others = Sql.list(c,
        "SELECT source_id FROM jobs WHERE group_id = ? AND source_kind <> 'plan' AND ("
            + " (state IN ('LEASED', 'RUNNING', 'SUCCEEDED', 'UNKNOWN') AND quota_day = ?)"
            + " OR (state = 'QUEUED' AND due_at >= ? AND due_at < ?))",
        rs -> rs.getString(1), groupId, Date.valueOf(day), dayStart, dayEnd);
    List<Planned> all =
        Sql.list(
            c,
            "SELECT id, source_id, state, reason, decided_by, priority, not_before FROM jobs WHERE group_id = ? AND plan_day = ? AND source_kind = 'plan'",
            rs -> new Planned(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6), rs.getLong(7)),
            groupId,
            Date.valueOf(day));
    List<Planned> placed = new ArrayList<>();
    List<Planned> contenders = new ArrayList<>();
    for (Planned p : all) {
      switch (p.state()) {
        case "LEASED", "RUNNING", "SUCCEEDED", "UNKNOWN" -> placed.add(p);
        case "QUEUED" -> contenders.add(p);
        case "SKIPPED" -> {
          if (JobTransitions.DAY_FULL.contains(p.decidedBy()) && p.due() > now.toEpochMilli()) {
            contenders.add(p);
          }
        }
        default -> {
          // FAILED, CANCELLED and expired posts hold no place
        }
      }
    }
    contenders.sort(Comparator.comparingInt(Planned::priority).reversed().thenComparingLong(Planned::due).thenComparing(Planned::planId));
    int free = Math.max(0, cap - holding - othersQueued);
    List<Planned> winners = contenders.subList(0, Math.min(free, contenders.size()));
    List<Planned> losers = contenders.subList(winners.size(), contenders.size());
    Set<String> wonBy = new LinkedHashSet<>(others);
    placed.forEach(p -> wonBy.add(p.planId()));
    winners.forEach(p -> wonBy.add(p.planId()));
    for (Planned w : winners) {
      if (!w.state().equals("QUEUED")) {
        transitions.rankedIn(c, w.id(), now);
      }
    }
    String reason = "quota:group-daily; " + cap + " posts on " + day + " won by " + String.join(", ", wonBy);
    for (Planned l : losers) {
      if (l.state().equals("QUEUED") || !reason.equals(l.reason())) {
        transitions.rankedOut(c, l.id(), reason, now);
      }
    }
    return losers.size();
  }
}
