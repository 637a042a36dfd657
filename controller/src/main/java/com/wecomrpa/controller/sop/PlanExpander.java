package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.job.JobTransitions;
import com.wecomrpa.controller.conditions.StepGuard;
import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Materialises active plans into jobs up to a horizon ahead, never further. A job's id is plan,
 * version, step, target and occurrence, so running the expander twice, or again after a crash,
 * creates nothing twice. Group posts are then ranked per group and day against the daily cap.
 */
public final class PlanExpander {
  /** What one run did. */
  public record Result(int created, int skippedByCap) {}

  private record GroupRow(String id, String name, String accountId, String accountName, ZoneId zone, Instant createdAt, Set<String> tags) {}

  private record AccountRow(String id, String name, ZoneId zone) {}

  private final Database db;
  private final JdbcPlanStore plans;
  private final Jobs jobs;
  private final GroupDayRanking ranking;
  private final Duration horizon;

  /** {@code limits} gives each account's effective daily cap per group, as the claim reads it. */
  public PlanExpander(Database db, JdbcPlanStore plans, Jobs jobs, JdbcLimitStore limits, Duration horizon) {
    this.db = db;
    this.plans = plans;
    this.jobs = jobs;
    this.ranking = new GroupDayRanking(limits, jobs.transitions());
    this.horizon = horizon;
  }

  public Result expand(Instant now) {
    return db.inTransaction(
        c -> {
          List<Plan.Stored> active = plans.active(c);
          if (active.isEmpty()) {
            return new Result(0, 0);
          }
          Map<String, AccountRow> accounts = accounts(c);
          List<GroupRow> groups = null;
          List<NewJob> wanted = new ArrayList<>();
          for (Plan.Stored p : active) {
            Set<String> existing =
                new HashSet<>(Sql.list(c, "SELECT id FROM jobs WHERE source_kind = 'plan' AND source_id = ? AND id LIKE ?",
                    rs -> rs.getString(1), p.plan().id(), prefix(p) + "%"));
            List<NewJob> planJobs = new ArrayList<>();
            switch (p.plan().kind()) {
              case GROUP -> {
                if (groups == null) {
                  groups = groups(c, accounts);
                }
                group(p, groups, now, now.plus(horizon), planJobs);
              }
              case MOMENTS -> moments(p, accounts, now, now.plus(horizon), planJobs);
              case CUSTOMER -> customers(c, p, accounts, now, planJobs);
            }
            planJobs.stream().filter(j -> !existing.contains(j.id())).forEach(wanted::add);
          }
          List<NewJob> fresh = jobs.intake().enqueue(c, wanted, now);
          Set<Map.Entry<String, LocalDate>> touched = new LinkedHashSet<>();
          for (NewJob j : fresh) {
            if (j.groupId() != null && j.planDay() != null) {
              touched.add(Map.entry(j.groupId(), j.planDay()));
            }
          }
          int skipped = 0;
          for (Map.Entry<String, LocalDate> gd : touched) {
            skipped += ranking.rank(c, gd.getKey(), gd.getValue(), now);
          }
          return new Result(fresh.size(), skipped);
        });
  }

  /** One time a plan would post: when, in the target's own zone, and to how many targets. */
  public record Occurrence(Instant at, String local, int step, int targets) {}

  /**
   * What a plan would do over the next {@code span} were it saved now, stored nowhere: the jobs it
   * would make, the groups (or accounts) it reaches by account with a few names, and its first
   * occurrences. A customer plan starts per customer on its trigger, so its preview counts who is in
   * the trigger's stage or has its tag now.
   */
  public record Preview(String kind, Instant from, Instant to, int jobs, int count, Map<String, Integer> byAccount, List<String> examples,
      List<Occurrence> next, Integer customersNow) {}

  public Preview preview(Plan plan, Instant now, Duration span) {
    return db.inTransaction(
        c -> {
          Plan.Stored p = new Plan.Stored(plan, null, "active", 1, now, now, now);
          Map<String, AccountRow> accounts = accounts(c);
          List<NewJob> out = new ArrayList<>();
          Integer customersNow = null;
          switch (plan.kind()) {
            case GROUP -> group(p, groups(c, accounts), now, now.plus(span), out);
            case MOMENTS -> moments(p, accounts, now, now.plus(span), out);
            case CUSTOMER -> {
              if (plan.triggerStage() != null) {
                customersNow = Sql.one(c, "SELECT COUNT(*) FROM customers WHERE status = 'active' AND stage = ?", rs -> rs.getInt(1), plan.triggerStage()).orElse(0);
              } else if (plan.triggerTag() != null) {
                customersNow = Sql.one(c, "SELECT COUNT(*) FROM customer_tags t JOIN customers u ON u.id = t.customer_id WHERE u.status = 'active' AND t.tag = ?",
                    rs -> rs.getInt(1), plan.triggerTag()).orElse(0);
              }
            }
          }
          Map<String, Set<String>> targets = new java.util.TreeMap<>();
          Map<String, String> names = new LinkedHashMap<>();
          java.util.TreeMap<Instant, Map<Integer, Set<String>>> byTime = new java.util.TreeMap<>();
          for (NewJob j : out) {
            String target = j.groupId() != null ? j.groupId() : j.accountId();
            targets.computeIfAbsent(j.accountId(), k -> new java.util.TreeSet<>()).add(target);
            names.putIfAbsent(target, j.params().getOrDefault("group_name", target));
            int step = Integer.parseInt(j.id().substring(prefix(p).length() + 1, j.id().indexOf(':', prefix(p).length())));
            byTime.computeIfAbsent(j.notBefore(), k -> new java.util.TreeMap<>()).computeIfAbsent(step, k -> new HashSet<>()).add(target);
          }
          Map<String, Integer> perAccount = new LinkedHashMap<>();
          targets.forEach((a, t) -> perAccount.put(a, t.size()));
          List<Occurrence> next = new ArrayList<>();
          for (Map.Entry<Instant, Map<Integer, Set<String>>> e : byTime.entrySet()) {
            for (Map.Entry<Integer, Set<String>> s : e.getValue().entrySet()) {
              if (next.size() < 10) {
                // The zone of the first target's account: a plan's times are read in each account's zone.
                String anyTarget = s.getValue().iterator().next();
                ZoneId zone = out.stream().filter(j -> anyTarget.equals(j.groupId() != null ? j.groupId() : j.accountId())).findFirst()
                    .map(j -> accounts.get(j.accountId()).zone()).orElse(java.time.ZoneOffset.UTC);
                next.add(new Occurrence(e.getKey(), e.getKey().atZone(zone).toLocalDateTime().toString().replace('T', ' ') + " " + zone, s.getKey(), s.getValue().size()));
              }
            }
          }
          int count = targets.values().stream().mapToInt(Set::size).sum();
          return new Preview(plan.kind().name().toLowerCase(), now, now.plus(span), out.size(), count, perAccount,
              names.values().stream().limit(5).toList(), next, customersNow);
        });
  }

  /** Re-ranks every group-day from today on; after a plan is paused, edited or deleted. */
  public void rerank(Instant now) {
    db.inTransaction(
        c -> {
          LocalDate from = LocalDate.ofInstant(now, java.time.ZoneOffset.UTC).minusDays(1);
          // Only group-days with a post that can still move (queued, or put out of a day still to
          // come): ranking any other is a no-op. Each half reads its state's rows by index, never
          // the whole history of jobs, which a broadcast every few seconds would otherwise cost.
          for (Object[] gd : Sql.list(c, "SELECT group_id, plan_day FROM jobs WHERE state = 'QUEUED' AND source_kind = 'plan' AND plan_day >= ?"
                  + " UNION SELECT group_id, plan_day FROM jobs WHERE state = 'SKIPPED' AND due_at > ? AND decided_by IN " + JobTransitions.DAY_FULL_SQL
                  + " AND source_kind = 'plan' AND plan_day >= ?",
              rs -> new Object[] {rs.getString(1), rs.getDate(2).toLocalDate()}, java.sql.Date.valueOf(from), now.toEpochMilli(), java.sql.Date.valueOf(from))) {
            ranking.rank(c, (String) gd[0], (LocalDate) gd[1], now);
          }
          return null;
        });
  }

  private static String prefix(Plan.Stored p) {
    return "plan:" + p.plan().id() + ":v" + p.version() + ":";
  }

  private static void group(Plan.Stored p, List<GroupRow> groups, Instant now, Instant until, List<NewJob> out) {
    Plan plan = p.plan();
    for (GroupRow g : groups) {
      boolean targeted = plan.selector() != null ? plan.selector().matches(g.tags()) : plan.groupIds().contains(g.id());
      if (!targeted) {
        continue;
      }
      // New groups are picked up from their next occurrence; a new version from its own start.
      Instant from = latest(p.effectiveAt(), g.createdAt(), now.minus(Duration.ofDays(1)));
      Map<String, String> vars = Map.of("group_name", g.name(), "account_name", g.accountName());
      for (LocalDate day = LocalDate.ofInstant(from, g.zone()); !day.isAfter(LocalDate.ofInstant(until, g.zone())); day = day.plusDays(1)) {
        if (!plan.runsOn(day)) {
          continue;
        }
        for (Plan.PlanStepRule step : plan.steps()) {
          Instant due = day.atTime(step.at()).atZone(g.zone()).toInstant();
          if (due.isBefore(from) || due.isAfter(until)) {
            continue;
          }
          ContentActions.Action a = ContentActions.forGroup(step.content(), g.id(), g.name(), vars);
          out.add(new NewJob(prefix(p) + "s" + step.index() + ":" + g.id() + ":" + day, "plan", plan.id(), g.accountId(), g.id(), null,
              a.name(), a.params(), plan.priority(), due, due.plus(plan.window()), day));
        }
      }
    }
  }

  private static void moments(Plan.Stored p, Map<String, AccountRow> accounts, Instant now, Instant until, List<NewJob> out) {
    Plan plan = p.plan();
    for (String accountId : plan.accounts()) {
      AccountRow a = accounts.get(accountId);
      if (a == null) {
        continue;
      }
      Instant from = latest(p.effectiveAt(), now.minus(Duration.ofDays(1)));
      for (LocalDate day = LocalDate.ofInstant(from, a.zone()); !day.isAfter(LocalDate.ofInstant(until, a.zone())); day = day.plusDays(1)) {
        if (!plan.runsOn(day)) {
          continue;
        }
        for (Plan.PlanStepRule step : plan.steps()) {
          Instant due = day.atTime(step.at()).atZone(a.zone()).toInstant();
          if (due.isBefore(from) || due.isAfter(until)) {
            continue;
          }
          ContentActions.Action act = ContentActions.forMoments(step.content(), Map.of("account_name", a.name()));
          out.add(new NewJob(prefix(p) + "s" + step.index() + ":" + a.id() + ":" + day, "plan", plan.id(), a.id(), null, null,
              act.name(), act.params(), plan.priority(), due, due.plus(plan.window()), null));
        }
      }
    }
  }

  private void customers(Connection c, Plan.Stored p, Map<String, AccountRow> accounts, Instant now, List<NewJob> out) throws SQLException {
    Plan plan = p.plan();
    if (plan.triggerField() != null) {
      startDateRuns(c, plan, accounts, now);
    }
    List<Object[]> runs =
        Sql.list(c, "SELECT r.customer_id, r.anchor_at, e.body FROM plan_runs r LEFT JOIN events e ON e.id = r.event_id WHERE r.plan_id = ? AND r.status = 'active'",
            rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3)}, plan.id());
    for (Object[] run : runs) {
      Customer customer = Customers.find(c, (String) run[0]).orElse(null);
      if (customer == null || !customer.status().equals("active")) {
        continue;
      }
      AccountRow a = accounts.get(customer.accountId());
      Instant anchor = Instant.ofEpochMilli((Long) run[1]);
      // A later version only takes over the steps still ahead of it; earlier ones were version 1's.
      Instant from = p.version() > 1 ? latest(anchor, p.effectiveAt()) : anchor;
      Map<String, String> vars = new HashMap<>(customer.fields());
      vars.put("nickname", customer.nickname());
      vars.put("customer_id", customer.id());
      vars.put("account_name", a.name());
      vars.put("stage", customer.stage() == null ? "" : customer.stage());
      // What the starting event carried (an order's id, amount and products).
      vars.putAll(eventVars((String) run[2]));
      boolean allPlanned = true;
      for (int cycle = 0; cycle < plan.repeatCount(); cycle++) {
        Instant cycleAnchor = anchor.plus(Duration.ofDays((long) cycle * plan.repeatIntervalDays()));
        for (Plan.PlanStepRule step : plan.steps()) {
          Instant due = step.offset().dueAfter(cycleAnchor, a.zone());
          if (due.isAfter(now.plus(horizon))) {
            allPlanned = false;
            continue;
          }
          if (due.isBefore(from)) {
            continue;
          }
          ContentActions.Action act = ContentActions.forCustomer(step.content(), customer.id(), customer.nickname(), vars);
          // A private message spends the customer's cadence unless the admin marked the step transactional.
          String touch = ActionName.privateSend(act.name()) ? (step.transactional() ? NewJob.TRANSACTIONAL : NewJob.MARKETING) : null;
          String guard = step.unless().isEmpty() && plan.exitOn().isEmpty() ? null : new StepGuard(anchor.toEpochMilli(), step.unless(), plan.exitOn()).write();
          // A yearly plan runs again each year: its jobs are that year's.
          String year = plan.triggerField() == null ? "" : ":y" + LocalDate.ofInstant(anchor, a.zone()).getYear();
          out.add(new NewJob(prefix(p) + "s" + step.index() + ":" + customer.id() + ":c" + cycle + year, "plan", plan.id(), customer.accountId(), null,
              customer.id(), act.name(), act.params(), plan.priority(), due, due.plus(plan.window()), null, touch, guard));
        }
      }
      if (allPlanned) {
        // Every step of every cycle is materialised: the sequence needs no more expansion.
        Sql.update(c, "UPDATE plan_runs SET status = 'done' WHERE plan_id = ? AND customer_id = ? AND status = 'active'", plan.id(), customer.id());
      }
    }
  }

  /**
   * A yearly plan: every active customer whose date field (MM-DD or YYYY-MM-DD) falls today in
   * their account's zone starts this year's run, anchored at the day's start (a 29 February comes
   * on the 28th in other years).
   */
  private static void startDateRuns(Connection c, Plan plan, Map<String, AccountRow> accounts, Instant now) throws SQLException {
    String field = plan.triggerField();
    List<String[]> rows = Sql.list(c, "SELECT id, account_id FROM customers WHERE status = 'active' AND fields LIKE ?",
        rs -> new String[] {rs.getString(1), rs.getString(2)}, "%\"" + field + "\"%");
    for (String[] r : rows) {
      AccountRow a = accounts.get(r[1]);
      Customer customer = Customers.find(c, r[0]).orElse(null);
      if (a == null || customer == null || (plan.stage() != null && !plan.stage().equals(customer.stage()))) {
        continue;
      }
      java.time.MonthDay day = monthDay(customer.fields().get(field));
      LocalDate today = LocalDate.ofInstant(now, a.zone());
      if (day == null || !day.atYear(today.getYear()).equals(today)) {
        continue;
      }
      PlanRuns.startYearly(c, plan.id(), customer.id(), today.atStartOfDay(a.zone()).toInstant(), "date:" + field + ":" + customer.id() + ":" + today);
    }
  }

  private static java.time.MonthDay monthDay(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    try {
      return v.length() == 10 ? java.time.MonthDay.from(LocalDate.parse(v)) : java.time.MonthDay.parse("--" + v);
    } catch (java.time.DateTimeException e) {
      return null; // not a date: this customer has no such day
    }
  }

  private static Map<String, String> eventVars(String body) {
    if (body == null) {
      return Map.of();
    }
    try {
      com.fasterxml.jackson.databind.JsonNode vars = com.wecomrpa.protocol.WireCodec.mapper().readTree(body).get("vars");
      Map<String, String> out = new HashMap<>();
      if (vars != null && vars.isObject()) {
        vars.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      }
      return out;
    } catch (Exception e) {
      return Map.of();
    }
  }

  private static Instant latest(Instant first, Instant... rest) {
    Instant m = first;
    for (Instant i : rest) {
      if (i.isAfter(m)) {
        m = i;
      }
    }
    return m;
  }

  private static Map<String, AccountRow> accounts(Connection c) throws SQLException {
    Map<String, AccountRow> out = new LinkedHashMap<>();
    for (AccountRow a : Sql.list(c, "SELECT id, display_name, time_zone FROM accounts", rs -> new AccountRow(rs.getString(1), rs.getString(2), ZoneId.of(rs.getString(3))))) {
      out.put(a.id(), a);
    }
    return out;
  }

  private static List<GroupRow> groups(Connection c, Map<String, AccountRow> accounts) throws SQLException {
    Map<String, Set<String>> tags = new HashMap<>();
    for (String[] t : Sql.list(c, "SELECT group_id, tag FROM group_tags", rs -> new String[] {rs.getString(1), rs.getString(2)})) {
      tags.computeIfAbsent(t[0], k -> new HashSet<>()).add(t[1]);
    }
    return Sql.list(
        c,
        "SELECT id, name, account_id, created_at FROM chat_groups ORDER BY id",
        rs -> {
          AccountRow a = accounts.get(rs.getString(3));
          return new GroupRow(rs.getString(1), rs.getString(2), a.id(), a.name(), a.zone(), Instant.ofEpochMilli(rs.getLong(4)), tags.getOrDefault(rs.getString(1), Set.of()));
        });
  }
}
