package com.wecomrpa.controller.limits;

import com.wecomrpa.protocol.ActionName;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Today's usage of one account against its caps, per group too, and when it may send next. */
public final class UsageReport {
  /** One account's usage now; {@code nextAllowedAt} only while it is active. */
  public record Usage(String accountId, String status, Instant coolingUntil, int riskSignals, Instant nextAllowedAt, List<Counter> counters,
      List<GroupPosts> groups) {}

  /** One counter in its current period. */
  public record Counter(String counter, String period, int used, int cap) {}

  /** Posts to one group today against the per-group cap. */
  public record GroupPosts(String groupId, int used, int cap) {}

  private record AccountRow(String status, Long coolingUntil, Long nextActionAt, String timeZone, int riskCount) {}

  private UsageReport() {}

  /** An account's counters now: used and cap in each one's current period (blocking). */
  public static List<Counter> counters(Connection c, JdbcLimitStore limits, String accountId, Instant now) throws SQLException {
    return counters(c, limits.effective(c, accountId, now), accountId, localNow(c, accountId, now));
  }

  /** Now in the account's time zone, where its days, quotas and active hours are counted. */
  public static ZonedDateTime localNow(Connection c, String accountId, Instant now) throws SQLException {
    String zone = Sql.one(c, "SELECT time_zone FROM accounts WHERE id = ?", rs -> rs.getString(1), accountId)
        .orElseThrow(() -> Rejected.notFound("id", "account " + accountId + " not found"));
    return now.atZone(ZoneId.of(zone));
  }

  /** Posts on {@code day} of each of the account's groups (0 for none), by group id in id order: the quota's count. */
  public static Map<String, Integer> groupPosts(Connection c, String accountId, java.time.LocalDate day) throws SQLException {
    return com.wecomrpa.controller.quota.GroupDailyQuota.usedByGroup(c, accountId, day);
  }

  private static List<Counter> counters(Connection c, EffectiveLimits lim, String accountId, ZonedDateTime local) throws SQLException {
    List<Counter> counters = new ArrayList<>();
    for (String action : List.of(ActionName.SEND_GROUP_TEXT, ActionName.SEND_PRIVATE_TEXT, ActionName.POST_MOMENTS,
        ActionName.SEND_GROUP_MINIPROGRAM, ActionName.SEND_GROUP_FILE)) {
      for (AccountCounters.Need n : AccountCounters.needs(action, lim, local)) {
        if (counters.stream().noneMatch(m -> m.counter().equals(n.counter()))) {
          counters.add(new Counter(n.counter(), n.period(), AccountCounters.used(c, accountId, n.counter(), n.period()), n.cap()));
        }
      }
    }
    return counters;
  }

  public static Usage of(Connection c, JdbcLimitStore limits, String accountId, Instant now) throws SQLException {
    AccountRow a = Sql.one(c, "SELECT status, cooling_until, next_action_at, time_zone, risk_count FROM accounts WHERE id = ?",
            rs -> new AccountRow(rs.getString(1), Sql.nullableLong(rs, "cooling_until"), Sql.nullableLong(rs, "next_action_at"), rs.getString(4), rs.getInt(5)),
            accountId)
        .orElseThrow(() -> Rejected.notFound("id", "account " + accountId + " not found"));
    EffectiveLimits lim = limits.effective(c, accountId, now);
    ZonedDateTime local = now.atZone(ZoneId.of(a.timeZone()));
    int groupCap = lim.number(LimitName.POSTS_PER_GROUP_PER_DAY);
    List<GroupPosts> groups = new ArrayList<>();
    groupPosts(c, accountId, local.toLocalDate()).forEach((id, used) -> groups.add(new GroupPosts(id, used, groupCap)));
    Instant next = a.nextActionAt() == null ? now : Instant.ofEpochMilli(Math.max(now.toEpochMilli(), a.nextActionAt()));
    if (!lim.active(next.atZone(local.getZone()).toLocalTime())) {
      // Outside active hours: the next allowed send is when they open again.
      String from = lim.values().get(LimitName.ACTIVE_HOURS.key()).value().split("-")[0];
      ZonedDateTime open = next.atZone(local.getZone()).with(LocalTime.parse(from));
      next = (open.toInstant().isBefore(next) ? open.plusDays(1) : open).toInstant();
    }
    return new Usage(accountId, a.status(), a.coolingUntil() == null ? null : Instant.ofEpochMilli(a.coolingUntil()), a.riskCount(),
        a.status().equals("active") ? next : null, counters(c, lim, accountId, local), groups);
  }
}
