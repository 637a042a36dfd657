package com.wecomrpa.controller.limits;

import com.wecomrpa.protocol.ActionName;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-account usage counters (posts per hour and day, private messages, Moments, mini-program
 * cards, files) in the account's time zone. Callers hold the account row's lock, so checking and
 * taking are one atomic step for that account.
 */
public final class AccountCounters {
  /** One counter a job needs, in one period, with its cap. */
  public record Need(String counter, String period, int cap) {
    String key() {
      return counter + "@" + period;
    }
  }

  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH");

  private AccountCounters() {}

  /** What an action spends. Group posts and Moments count as posts; private messages apart. */
  public static List<Need> needs(String action, EffectiveLimits lim, ZonedDateTime local) {
    String day = local.toLocalDate().toString();
    String hour = local.format(HOUR);
    List<Need> out = new ArrayList<>();
    // An invitation card is a private message like any other.
    if (ActionName.privateSend(action) || action.equals(ActionName.INVITE_TO_GROUP)) {
      out.add(new Need("private/day", day, lim.number(LimitName.PRIVATE_MESSAGES_PER_DAY)));
      // A card or a file in a private chat also spends the account's cap for its kind, as in a group.
      if (action.equals(ActionName.SEND_PRIVATE_MINIPROGRAM)) {
        out.add(new Need("miniprogram/day", day, lim.number(LimitName.MINIPROGRAM_PER_DAY)));
      } else if (action.equals(ActionName.SEND_PRIVATE_FILE)) {
        out.add(new Need("file/day", day, lim.number(LimitName.FILE_PER_DAY)));
      }
      return out;
    }
    // Accepting a friend and removing a member are operations the platform counts, each with a cap of its own.
    if (action.equals(ActionName.ACCEPT_FRIEND)) {
      out.add(new Need("friends/day", day, lim.number(LimitName.FRIEND_ACCEPTS_PER_DAY)));
      return out;
    }
    if (action.equals(ActionName.REMOVE_MEMBER)) {
      out.add(new Need("removals/day", day, lim.number(LimitName.REMOVALS_PER_DAY)));
      return out;
    }
    out.add(new Need("posts/day", day, lim.number(LimitName.POSTS_PER_ACCOUNT_PER_DAY)));
    out.add(new Need("posts/hour", hour, lim.number(LimitName.POSTS_PER_ACCOUNT_PER_HOUR)));
    switch (action) {
      case ActionName.POST_MOMENTS -> out.add(new Need("moments/day", day, lim.number(LimitName.MOMENTS_PER_DAY)));
      case ActionName.SEND_GROUP_MINIPROGRAM -> out.add(new Need("miniprogram/day", day, lim.number(LimitName.MINIPROGRAM_PER_DAY)));
      case ActionName.SEND_GROUP_FILE -> out.add(new Need("file/day", day, lim.number(LimitName.FILE_PER_DAY)));
      default -> {
        // text, image and link cards spend posts only
      }
    }
    return out;
  }

  /** The account's counters of some periods as read under its lock: a claim's check needs no read of its own. */
  public record Snapshot(java.util.Set<String> periods, java.util.Map<String, Integer> used) {
    boolean covers(List<Need> needs) {
      return needs.stream().allMatch(n -> periods.contains(n.period()));
    }
  }

  /** The read of the account's counters of {@code local}'s day and hour, to send beside a claim's other reads. */
  public static Sql.Read<Object[]> periodsRead(String accountId, ZonedDateTime local) {
    return new Sql.Read<>("SELECT counter, period, used FROM usage_counters WHERE account_id = ? AND period IN (?, ?)",
        PERIOD, List.of(accountId, local.toLocalDate().toString(), local.format(HOUR)));
  }

  /** A row of {@link #periodsRead}: the counter's key and its count. */
  private static final Sql.Row<Object[]> PERIOD = rs -> new Object[] {rs.getString(1) + "@" + rs.getString(2), rs.getInt(3)};

  /**
   * {@link #periodsRead} for several accounts at once, each at its own {@code local} time (the same
   * order): rows of {account id, what its own read answers in a row}.
   */
  public static Sql.Read<Object[]> periodsReadAll(Connection c, List<String> accounts, List<ZonedDateTime> locals) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < accounts.size(); i++) {
      rows.add(new Object[] {accounts.get(i), locals.get(i).toLocalDate().toString(), locals.get(i).format(HOUR)});
    }
    return new Sql.Read<>("SELECT u.counter, u.period, u.used, u.account_id FROM " + Sql.unnest("varchar", "varchar", "varchar") + " AS p(account_id, day, hour)"
        + " JOIN usage_counters u ON u.account_id = p.account_id AND u.period IN (p.day, p.hour)",
        rs -> new Object[] {rs.getString(4), PERIOD.map(rs)},
        new ArrayList<>(Sql.columns(c, new String[] {"varchar", "varchar", "varchar"}, rows)));
  }

  /** What {@link #periodsRead} at {@code local} answered. */
  public static Snapshot snapshot(ZonedDateTime local, List<?> rows) {
    java.util.Map<String, Integer> used = new java.util.HashMap<>();
    for (Object r : rows) {
      Object[] row = (Object[]) r;
      used.put((String) row[0], (Integer) row[1]);
    }
    return new Snapshot(java.util.Set.of(local.toLocalDate().toString(), local.format(HOUR)), used);
  }

  /** The first need that is used up, or null if all fit; from {@code known} where it covers the needs' periods. */
  public static Need full(Connection c, String accountId, List<Need> needs, Snapshot known) throws SQLException {
    return known == null || !known.covers(needs) ? full(c, accountId, needs) : firstFull(needs, known.used());
  }

  /** The first need that is used up, or null if all fit. */
  public static Need full(Connection c, String accountId, List<Need> needs) throws SQLException {
    if (needs.isEmpty()) {
      return null;
    }
    // Every need's counter in one read: a claim asks this for each candidate.
    StringBuilder sql = new StringBuilder("SELECT counter, period, used FROM usage_counters WHERE account_id = ? AND (");
    List<Object> args = new ArrayList<>(List.of(accountId));
    for (int i = 0; i < needs.size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("(counter = ? AND period = ?)");
      args.add(needs.get(i).counter());
      args.add(needs.get(i).period());
    }
    java.util.Map<String, Integer> used = new java.util.HashMap<>();
    Sql.list(c, sql.append(")").toString(), rs -> used.put(rs.getString(1) + "@" + rs.getString(2), rs.getInt(3)), args.toArray());
    return firstFull(needs, used);
  }

  /** The first need whose counter ({@code used}, by key) is at its cap, or null. */
  private static Need firstFull(List<Need> needs, java.util.Map<String, Integer> used) {
    for (Need n : needs) {
      if (used.getOrDefault(n.key(), 0) >= n.cap()) {
        return n;
      }
    }
    return null;
  }

  /**
   * Takes one of each, a statement a counter (the claim on PostgreSQL takes them within its one
   * write, {@link #takeEachSql}); returns the keys to give back on a definite failure.
   */
  public static String take(Connection c, String accountId, List<Need> needs) throws SQLException {
    if (needs.isEmpty()) {
      return "";
    }
    for (Need n : needs) {
      if (Sql.update(c, "UPDATE usage_counters SET used = used + 1 WHERE account_id = ? AND counter = ? AND period = ?", accountId, n.counter(), n.period()) == 0) {
        Savepoint sp = c.setSavepoint();
        try {
          Sql.update(c, "INSERT INTO usage_counters (account_id, counter, period, used) VALUES (?, ?, ?, 1)", accountId, n.counter(), n.period());
          c.releaseSavepoint(sp);
        } catch (SQLException raced) {
          c.rollback(sp);
          if (!com.wecomrpa.controller.store.Dialect.duplicateKey(raced)) {
            throw raced;
          }
          Sql.update(c, "UPDATE usage_counters SET used = used + 1 WHERE account_id = ? AND counter = ? AND period = ?", accountId, n.counter(), n.period());
        }
      }
    }
    return keys(needs);
  }

  /** The keys {@link #take} returns for these needs, to give back on a definite failure. */
  public static String keys(List<Need> needs) {
    return String.join(",", needs.stream().map(Need::key).toList());
  }

  /**
   * PostgreSQL only: takes, inside a WITH, one of each need of {@code needs} (the name of a WITH
   * before it, with columns account_id, counter and period), the period's first take included (no
   * savepoint, no retry). The leases of several claims take their counters so in one statement.
   */
  public static String takeEachSql(String needs) {
    return "INSERT INTO usage_counters (account_id, counter, period, used) SELECT account_id, counter, period, 1 FROM " + needs
        + " ON CONFLICT (account_id, counter, period) DO UPDATE SET used = usage_counters.used + 1";
  }

  public static void release(Connection c, String accountId, String keys) throws SQLException {
    if (keys == null || keys.isBlank()) {
      return;
    }
    for (String k : keys.split(",")) {
      String[] p = k.split("@", 2);
      Sql.update(c, "UPDATE usage_counters SET used = used - 1 WHERE account_id = ? AND counter = ? AND period = ? AND used > 0", accountId, p[0], p[1]);
    }
  }

  public static int used(Connection c, String accountId, String counter, String period) throws SQLException {
    return (int) Sql.count(c, "SELECT used FROM usage_counters WHERE account_id = ? AND counter = ? AND period = ?", accountId, counter, period);
  }
}
