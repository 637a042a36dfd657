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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Today's usage of one account against its caps, per group too, and when it may send next. */
public final class UsageReport {
  private UsageReport() {}

  /** An account's counters now: used and cap in each one's current period (blocking). */
  public static List<Map<String, Object>> counters(Connection c, JdbcLimitStore limits, String accountId, Instant now) throws SQLException {
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

  private static List<Map<String, Object>> counters(Connection c, EffectiveLimits lim, String accountId, ZonedDateTime local) throws SQLException {
    List<Map<String, Object>> counters = new ArrayList<>();
    for (String action : List.of(ActionName.SEND_GROUP_TEXT, ActionName.SEND_PRIVATE_TEXT, ActionName.POST_MOMENTS,
        ActionName.SEND_GROUP_MINIPROGRAM, ActionName.SEND_GROUP_FILE)) {
      for (AccountCounters.Need n : AccountCounters.needs(action, lim, local)) {
        if (counters.stream().noneMatch(m -> m.get("counter").equals(n.counter()))) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("counter", n.counter());
          m.put("period", n.period());
          m.put("used", AccountCounters.used(c, accountId, n.counter(), n.period()));
          m.put("cap", n.cap());
          counters.add(m);
        }
      }
    }
    return counters;
  }

  public static Map<String, Object> of(Connection c, JdbcLimitStore limits, String accountId, Instant now) throws SQLException {
    Object[] a = Sql.one(c, "SELECT status, cooling_until, next_action_at, time_zone, risk_count FROM accounts WHERE id = ?",
            rs -> new Object[] {rs.getString(1), Sql.nullableLong(rs, "cooling_until"), Sql.nullableLong(rs, "next_action_at"), rs.getString(4), rs.getInt(5)},
            accountId)
        .orElseThrow(() -> Rejected.notFound("id", "account " + accountId + " not found"));
    EffectiveLimits lim = limits.effective(c, accountId, now);
    ZonedDateTime local = now.atZone(ZoneId.of((String) a[3]));
    List<Map<String, Object>> counters = counters(c, lim, accountId, local);
    int groupCap = lim.number(LimitName.POSTS_PER_GROUP_PER_DAY);
    List<Map<String, Object>> groups = new ArrayList<>();
    groupPosts(c, accountId, local.toLocalDate()).forEach((id, used) -> groups.add(Map.of("groupId", id, "used", used, "cap", groupCap)));
    Instant next = a[2] == null ? now : Instant.ofEpochMilli(Math.max(now.toEpochMilli(), (Long) a[2]));
    if (!lim.active(next.atZone(local.getZone()).toLocalTime())) {
      // Outside active hours: the next allowed send is when they open again.
      String from = lim.values().get(LimitName.ACTIVE_HOURS.key()).value().split("-")[0];
      ZonedDateTime open = next.atZone(local.getZone()).with(LocalTime.parse(from));
      next = (open.toInstant().isBefore(next) ? open.plusDays(1) : open).toInstant();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("accountId", accountId);
    out.put("status", a[0]);
    out.put("coolingUntil", a[1] == null ? null : Instant.ofEpochMilli((Long) a[1]));
    out.put("riskSignals", a[4]);
    out.put("nextAllowedAt", a[0].equals("active") ? next : null);
    out.put("counters", counters);
    out.put("groups", groups);
    return out;
  }
}
