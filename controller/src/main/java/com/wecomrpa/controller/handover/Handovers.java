package com.wecomrpa.controller.handover;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.JobTransitions;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hands an account's groups and customers to another account (离职继承 / 在职继承): checked (the
 * receiving account's group cap, every id the giving account's), transferred on the platform (its
 * admin API; a customer may refuse and then stays), then moved in the store in one transaction with
 * their queued jobs. Tags, stage, history, plan runs, cadence slots and the day's posts per group are
 * keyed by the group or customer, so they move by themselves. A job leased, running or maybe sent
 * stays with the giving account, to finish or be verified on the device that may have sent it; one
 * that then fails without sending follows its target. Audited; each item's outcome kept.
 */
public final class Handovers {
  /** The request: groups {@code "all"} or ids; customers {@code "all"}, ids or {@code {"tag": X}}. */
  public record Request(String id, String to, JsonNode groups, JsonNode customers, String reason) {}

  /** What was done, item by item. */
  public record Result(
      String id, String from, String to, String reason, String at, List<String> groupsMoved, Map<String, String> groupsFailed, List<String> customersMoved,
      List<String> customersRefused, Map<String, String> customersFailed, int jobsMoved, List<String> jobsLeft) {}

  /** An account that could take the giving account's groups, and how many more it can hold. */
  public record Target(String accountId, String status, int groups, int room) {}

  private record Plan(String from, String to, List<String> groups, List<String> customers) {}

  private final Database db;
  private final JdbcLimitStore limits;
  private final AuditLog audit;
  private final Optional<PlatformAdmin> platform;
  private final JobTransitions transitions = new JobTransitions();

  public Handovers(Database db, JdbcLimitStore limits, AuditLog audit, Optional<PlatformAdmin> platform) {
    this.db = db;
    this.limits = limits;
    this.audit = audit;
    this.platform = platform;
  }

  /** Blocking (the platform's API and the store): call on a worker thread. */
  public Result handOver(Caller actor, String from, Request req, Instant now) {
    String id = req.id() == null ? "ho-" + java.util.UUID.randomUUID() : Fields.id("id", req.id());
    String to = Fields.id("to", req.to());
    String reason = Fields.maxLength("reason", Fields.required("reason", req.reason()), 500);
    if (to.equals(from)) {
      throw Rejected.invalid("to", "to is the account handing over (" + from + ")");
    }
    if (req.groups() == null && req.customers() == null) {
      throw Rejected.invalid("groups", "name groups or customers (or both): \"all\", a list of ids, or for customers {\"tag\": ...}");
    }
    Plan plan = db.inTransaction(c -> plan(c, id, from, to, req, now));
    PlatformAdmin admin = platform.orElseThrow(() -> Rejected.conflict("to",
        "no platform admin API is configured (controller --platform-api): a handover moves groups and customers on the platform first"));
    Map<String, String> groupsFailed;
    List<PlatformAdmin.CustomerOutcome> outcomes;
    try {
      groupsFailed = plan.groups().isEmpty() ? Map.of() : admin.transferGroups(plan.groups(), to);
      outcomes = plan.customers().isEmpty() ? List.of() : admin.transferCustomers(from, to, plan.customers());
    } catch (IOException e) {
      throw new UncheckedIOException("the platform's admin API at " + admin.base() + " failed: " + e.getMessage(), e);
    }
    return db.inTransaction(c -> apply(c, actor, id, plan, reason, groupsFailed, outcomes, now));
  }

  /** Accounts that could take {@code from}'s groups, most room first. */
  public List<Target> targets(String from, Instant now) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", from) == 0) {
        throw Rejected.notFound("id", "account " + from + " not found");
      }
      List<Target> out = new ArrayList<>();
      for (Object[] a : Sql.list(c, "SELECT id, status, group_count FROM accounts WHERE id <> ? ORDER BY id", rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getInt(3)}, from)) {
        int cap = limits.effective(c, (String) a[0], now).number(LimitName.MAX_GROUPS);
        out.add(new Target((String) a[0], (String) a[1], (Integer) a[2], Math.max(0, cap - (Integer) a[2])));
      }
      out.sort(java.util.Comparator.comparing((Target t) -> !t.status().equals("active")).thenComparing(t -> -t.room()));
      return out;
    });
  }

  public Optional<Result> find(String id) {
    return db.inTransaction(c -> Sql.one(c, "SELECT id, from_account, to_account, reason, at, jobs_moved FROM handovers WHERE id = ?",
        rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getInt(6)}, id).map(h -> {
          try {
            return read(c, h);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        }));
  }

  /** The newest handovers first, each with its items. */
  public List<Result> list(int limit) {
    return db.inTransaction(c -> {
      List<Result> out = new ArrayList<>();
      for (Object[] h : Sql.list(c, "SELECT id, from_account, to_account, reason, at, jobs_moved FROM handovers ORDER BY at DESC, id LIMIT " + limit,
          rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getInt(6)})) {
        out.add(read(c, h));
      }
      return out;
    });
  }

  private Plan plan(Connection c, String id, String from, String to, Request req, Instant now) throws SQLException {
    if (Sql.count(c, "SELECT COUNT(*) FROM handovers WHERE id = ?", id) > 0) {
      throw Rejected.conflict("id", "handover " + id + " already exists");
    }
    if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", from) == 0) {
      throw Rejected.notFound("id", "account " + from + " not found");
    }
    String toStatus = Sql.one(c, "SELECT status FROM accounts WHERE id = ?", rs -> rs.getString(1), to)
        .orElseThrow(() -> Rejected.notFound("to", "to: account " + to + " not found"));
    if (!toStatus.equals("active") && !toStatus.equals("cooling")) {
      throw Rejected.conflict("to", "to: account " + to + " is " + toStatus + "; hand over to an account that can work");
    }
    List<String> groups = ids(c, "groups", req.groups(), "SELECT id FROM chat_groups WHERE account_id = ? ORDER BY id", null,
        "SELECT COUNT(*) FROM chat_groups WHERE id = ? AND account_id = ?", "group", from);
    List<String> customers = ids(c, "customers", req.customers(), "SELECT id FROM customers WHERE account_id = ? AND status = 'active' ORDER BY id",
        "SELECT c.id FROM customers c JOIN customer_tags t ON t.customer_id = c.id WHERE c.account_id = ? AND c.status = 'active' AND t.tag = ? ORDER BY c.id",
        "SELECT COUNT(*) FROM customers WHERE id = ? AND account_id = ?", "customer", from);
    checkRoom(c, to, groups.size(), now);
    return new Plan(from, to, groups, customers);
  }

  private void checkRoom(Connection c, String to, int more, Instant now) throws SQLException {
    int held = (int) Sql.count(c, "SELECT group_count FROM accounts WHERE id = ? FOR UPDATE", to);
    int cap = limits.effective(c, to, now).number(LimitName.MAX_GROUPS);
    if (held + more > cap) {
      throw Rejected.conflict("groups", "groups: account " + to + " holds " + held + " groups; " + more + " more would pass its cap of " + cap
          + " (room for " + Math.max(0, cap - held) + ")");
    }
  }

  private static List<String> ids(Connection c, String f, JsonNode spec, String all, String byTag, String belongs, String what, String from) throws SQLException {
    if (spec == null || spec.isNull()) {
      return List.of();
    }
    if (spec.isTextual()) {
      if (!spec.asText().equals("all")) {
        throw Rejected.invalid(f, f + " must be \"all\" or a list of ids" + (byTag != null ? " or {\"tag\": ...}" : ""));
      }
      return Sql.list(c, all, rs -> rs.getString(1), from);
    }
    if (spec.isObject() && byTag != null) {
      JsonNode tag = spec.get("tag");
      if (tag == null || !tag.isTextual() || tag.asText().isBlank() || spec.size() != 1) {
        throw Rejected.invalid(f + ".tag", f + " as an object takes one field, tag");
      }
      return Sql.list(c, byTag, rs -> rs.getString(1), from, tag.asText());
    }
    if (!spec.isArray() || spec.isEmpty()) {
      throw Rejected.invalid(f, f + " must be \"all\" or a non-empty list of ids" + (byTag != null ? " or {\"tag\": ...}" : ""));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < spec.size(); i++) {
      String id = Fields.id(f + "[" + i + "]", spec.get(i).isTextual() ? spec.get(i).asText() : null);
      if (out.contains(id)) {
        throw Rejected.invalid(f + "[" + i + "]", f + "[" + i + "] lists " + id + " twice");
      }
      if (Sql.count(c, belongs, id, from) == 0) {
        throw Rejected.notFound(f + "[" + i + "]", f + "[" + i + "]: " + what + " " + id + " is not account " + from + "'s");
      }
      out.add(id);
    }
    return out;
  }

  private Result apply(Connection c, Caller actor, String id, Plan p, String reason, Map<String, String> groupsFailed, List<PlatformAdmin.CustomerOutcome> outcomes,
      Instant now) throws SQLException {
    // Both rows locked in one order (ids sorted), so two handovers between the same accounts cannot deadlock.
    for (String a : new java.util.TreeSet<>(List.of(p.from(), p.to()))) {
      Sql.count(c, "SELECT group_count FROM accounts WHERE id = ? FOR UPDATE", a);
    }
    List<String> groups = p.groups().stream().filter(g -> !groupsFailed.containsKey(g)).toList();
    checkRoom(c, p.to(), groups.size(), now);
    int jobsMoved = 0;
    List<String> left = new ArrayList<>();
    List<String> groupsMoved = new ArrayList<>();
    Map<String, String> groupsNotMoved = new LinkedHashMap<>(groupsFailed);
    for (String g : groups) {
      if (JdbcGroupStore.moveTo(c, g, p.from(), p.to())) {
        groupsMoved.add(g);
        jobsMoved += transitions.rehome(c, true, g, p.from(), p.to(), now);
        left.addAll(transitions.stayingBehind(c, true, g, p.from()));
      } else {
        groupsNotMoved.put(g, "no longer account " + p.from() + "'s");
      }
    }
    List<String> moved = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    for (PlatformAdmin.CustomerOutcome o : outcomes) {
      switch (o.status()) {
        case 1 -> {
          if (Customers.moveTo(c, o.customerId(), p.from(), p.to(), now)) {
            moved.add(o.customerId());
            jobsMoved += transitions.rehome(c, false, o.customerId(), p.from(), p.to(), now);
            left.addAll(transitions.stayingBehind(c, false, o.customerId(), p.from()));
          } else {
            failed.put(o.customerId(), "no longer account " + p.from() + "'s");
          }
        }
        case 3 -> refused.add(o.customerId());
        case 2 -> failed.put(o.customerId(), "waiting for the customer (the platform has not decided)");
        default -> failed.put(o.customerId(), "platform refused: " + (o.status() - 1000));
      }
    }
    Sql.update(c, "INSERT INTO handovers (id, from_account, to_account, reason, requested_by, at, groups_moved, customers_moved, customers_refused, jobs_moved, jobs_left)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", id, p.from(), p.to(), reason, actor.name(), now.toEpochMilli(), groupsMoved.size(), moved.size(), refused.size(),
        jobsMoved, left.size());
    List<Object[]> items = new ArrayList<>();
    groupsMoved.forEach(g -> items.add(new Object[] {id, "group", g, "moved", null}));
    groupsNotMoved.forEach((g, why) -> items.add(new Object[] {id, "group", g, "failed", why}));
    moved.forEach(cu -> items.add(new Object[] {id, "customer", cu, "moved", null}));
    refused.forEach(cu -> items.add(new Object[] {id, "customer", cu, "refused", "the customer refused the transfer; stays with " + p.from()}));
    failed.forEach((cu, why) -> items.add(new Object[] {id, "customer", cu, "failed", why}));
    left.forEach(j -> items.add(new Object[] {id, "job", j, "left", "leased, running or maybe sent: finishes or is verified on " + p.from() + "'s device"}));
    Sql.batch(c, "INSERT INTO handover_items (handover_id, kind, item_id, outcome, detail) VALUES (?, ?, ?, ?, ?)", items);
    audit.record(c, actor, "account.handover", "account:" + p.from(), groupsMoved.size() + " groups, " + moved.size() + " customers",
        "to " + p.to() + " (" + refused.size() + " refused, " + jobsMoved + " queued jobs moved, " + left.size() + " left)", reason, now);
    return new Result(id, p.from(), p.to(), reason, now.toString(), groupsMoved, groupsNotMoved, moved, refused, failed, jobsMoved, left);
  }

  private static Result read(Connection c, Object[] h) throws SQLException {
    String id = (String) h[0];
    List<String[]> items = Sql.list(c, "SELECT kind, item_id, outcome, detail FROM handover_items WHERE handover_id = ? ORDER BY kind, item_id",
        rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)}, id);
    List<String> groupsMoved = new ArrayList<>();
    Map<String, String> groupsFailed = new LinkedHashMap<>();
    List<String> moved = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    List<String> left = new ArrayList<>();
    for (String[] i : items) {
      switch (i[0] + "/" + i[2]) {
        case "group/moved" -> groupsMoved.add(i[1]);
        case "group/failed" -> groupsFailed.put(i[1], i[3]);
        case "customer/moved" -> moved.add(i[1]);
        case "customer/refused" -> refused.add(i[1]);
        case "customer/failed" -> failed.put(i[1], i[3]);
        default -> left.add(i[1]);
      }
    }
    return new Result(id, (String) h[1], (String) h[2], (String) h[3], Instant.ofEpochMilli((Long) h[4]).toString(), groupsMoved, groupsFailed, moved, refused, failed,
        (Integer) h[5], left);
  }
}
