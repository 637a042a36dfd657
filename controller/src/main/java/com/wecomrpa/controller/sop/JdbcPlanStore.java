package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.job.JobTransitions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Plans and their history. Every change (edit, pause, resume, delete) makes a new version: queued
 * jobs of the old version that are not yet due are cancelled, and the expander materialises the new
 * version from the moment of the change, so no occurrence is posted twice or by a stale version.
 * Jobs already leased or running are left to finish.
 */
public final class JdbcPlanStore {
  /** One entry of a plan's history. */
  public record Change(int version, String change, PlanSpec spec, String note, Instant at) {}

  private final Database db;
  private final PlanRules rules;
  private final JobTransitions transitions;
  private final ObjectMapper json = WireCodec.mapper();

  public JdbcPlanStore(Database db, PlanRules rules, JobTransitions transitions) {
    this.db = db;
    this.rules = rules;
    this.transitions = transitions;
  }

  public Plan.Stored create(PlanSpec spec, Plan plan, Instant now) {
    return db.inTransaction(
        c -> {
          if (Sql.count(c, "SELECT COUNT(*) FROM plans WHERE id = ?", plan.id()) > 0) {
            throw Rejected.conflict("id", "plan " + plan.id() + " already exists");
          }
          checkReferences(c, plan);
          Sql.update(
              c,
              "INSERT INTO plans (id, kind, name, status, priority, version, spec, effective_at, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, 1, ?, ?, ?, ?)",
              plan.id(), plan.kind().name().toLowerCase(), plan.name(), plan.priority(), write(spec), now.toEpochMilli(), now.toEpochMilli(), now.toEpochMilli());
          history(c, plan.id(), 1, "created", spec, null, now);
          return find(c, plan.id()).orElseThrow();
        });
  }

  /** Replaces the plan's rules; its kind cannot change. */
  public Plan.Stored update(String id, PlanSpec spec, Plan plan, Instant now) {
    return db.inTransaction(
        c -> {
          Plan.Stored old = find(c, id).filter(p -> !p.status().equals("deleted")).orElseThrow(() -> notFound(id));
          if (old.plan().kind() != plan.kind()) {
            throw Rejected.invalid("kind", "a plan's kind cannot change (" + old.plan().kind().name().toLowerCase() + "); create a new plan");
          }
          checkReferences(c, plan);
          int withdrawn = transitions.withdrawPlanFuture(c, id, now, "plan updated to version " + (old.version() + 1));
          Sql.update(
              c,
              "UPDATE plans SET name = ?, priority = ?, version = version + 1, spec = ?, effective_at = ?, updated_at = ? WHERE id = ?",
              plan.name(), plan.priority(), write(spec), now.toEpochMilli(), now.toEpochMilli(), id);
          history(c, id, old.version() + 1, "updated", spec, withdrawn + " future jobs of version " + old.version() + " cancelled", now);
          return find(c, id).orElseThrow();
        });
  }

  /**
   * Pauses, resumes or deletes a plan ({@code status} paused, active, deleted), audited under
   * {@code who} in the same transaction; setting the status it has already changes nothing.
   */
  public Plan.Stored setStatus(com.wecomrpa.controller.caller.Caller who, String id, String status, com.wecomrpa.controller.audit.AuditLog audit, Instant now) {
    return db.inTransaction(
        c -> {
          Plan.Stored old = find(c, id).filter(p -> !p.status().equals("deleted")).orElseThrow(() -> notFound(id));
          String change = switch (status) {
            case "paused" -> "paused";
            case "active" -> "resumed";
            default -> "deleted";
          };
          if (old.status().equals(status)) {
            return old;
          }
          int withdrawn = transitions.withdrawPlanFuture(c, id, now, "plan " + change);
          Sql.update(
              c,
              "UPDATE plans SET status = ?, version = version + 1, effective_at = ?, updated_at = ? WHERE id = ?",
              status, now.toEpochMilli(), now.toEpochMilli(), id);
          history(c, id, old.version() + 1, change, old.spec(), withdrawn + " future jobs cancelled", now);
          audit.record(c, who, "plan." + (status.equals("active") ? "resume" : status.equals("paused") ? "pause" : "delete"), id, old.status(),
              status + " (version " + (old.version() + 1) + ")", null, now);
          return find(c, id).orElseThrow();
        });
  }

  public Optional<Plan.Stored> find(String id) {
    return db.inTransaction(c -> find(c, id));
  }

  public List<Plan.Stored> list() {
    return db.inTransaction(c -> Sql.list(c, "SELECT * FROM plans WHERE status <> 'deleted' ORDER BY id", this::row));
  }

  public List<Plan.Stored> active(Connection c) throws SQLException {
    return Sql.list(c, "SELECT * FROM plans WHERE status = 'active' ORDER BY priority DESC, id", this::row);
  }

  public List<Change> history(String id) {
    return db.inTransaction(
        c -> {
          find(c, id).orElseThrow(() -> notFound(id));
          return Sql.list(
              c,
              "SELECT version, change, spec, note, at FROM plan_history WHERE plan_id = ? ORDER BY id",
              rs -> new Change(rs.getInt(1), rs.getString(2), read(rs.getString(3)), rs.getString(4), Instant.ofEpochMilli(rs.getLong(5))),
              id);
        });
  }

  /**
   * What the plan's jobs due in [from, to) came to (either bound may be null): counts per state,
   * and per reason for the skipped and cancelled ones.
   */
  public Map<String, Object> report(String id, Instant from, Instant to) {
    return db.inTransaction(
        c -> {
          find(c, id).orElseThrow(() -> notFound(id));
          String due = " AND not_before >= ? AND not_before < ?";
          long lo = from == null ? Long.MIN_VALUE : from.toEpochMilli();
          long hi = to == null ? Long.MAX_VALUE : to.toEpochMilli();
          Map<String, Integer> states = new LinkedHashMap<>();
          Sql.list(c, "SELECT state, COUNT(*) FROM jobs WHERE source_id = ? AND source_kind = 'plan'" + due + " GROUP BY state ORDER BY state",
                  rs -> Map.entry(rs.getString(1), rs.getInt(2)), id, lo, hi)
              .forEach(e -> states.put(e.getKey(), e.getValue()));
          Map<String, Integer> skipped = new LinkedHashMap<>();
          Sql.list(c, "SELECT reason, COUNT(*) FROM jobs WHERE source_id = ? AND source_kind = 'plan' AND state IN ('SKIPPED', 'CANCELLED')" + due + " GROUP BY reason ORDER BY reason",
                  rs -> Map.entry(String.valueOf(rs.getString(1)), rs.getInt(2)), id, lo, hi)
              .forEach(e -> skipped.put(e.getKey(), e.getValue()));
          // What its queued jobs wait for: a rule that holds them (a group unreachable, the account
          // paused) apart from those only due.
          Map<String, Integer> waiting = new java.util.TreeMap<>();
          Sql.list(c, "SELECT decided_by, COUNT(*) FROM jobs WHERE source_id = ? AND source_kind = 'plan' AND state = 'QUEUED'" + due + " GROUP BY decided_by",
                  rs -> Map.entry(rs.getString(1) == null ? "due" : rs.getString(1), rs.getInt(2)), id, lo, hi)
              .forEach(e -> waiting.merge(e.getKey(), e.getValue(), Integer::sum));
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("states", states);
          out.put("reasons", skipped);
          out.put("waiting", waiting);
          return out;
        });
  }

  public Optional<Plan.Stored> find(Connection c, String id) throws SQLException {
    return Sql.one(c, "SELECT * FROM plans WHERE id = ?", this::row, id);
  }

  private void checkReferences(Connection c, Plan plan) throws SQLException {
    for (int i = 0; i < plan.accounts().size(); i++) {
      if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", plan.accounts().get(i)) == 0) {
        throw Rejected.notFound("accounts[" + i + "]", "account " + plan.accounts().get(i) + " not found");
      }
    }
    for (int i = 0; i < plan.groupIds().size(); i++) {
      if (Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", plan.groupIds().get(i)) == 0) {
        throw Rejected.notFound("target.groupIds[" + i + "]", "group " + plan.groupIds().get(i) + " not found");
      }
    }
  }

  private void history(Connection c, String id, int version, String change, PlanSpec spec, String note, Instant now) throws SQLException {
    Sql.update(c, "INSERT INTO plan_history (plan_id, version, change, spec, note, at) VALUES (?, ?, ?, ?, ?, ?)",
        id, version, change, write(spec), note, now.toEpochMilli());
  }

  private Plan.Stored row(ResultSet rs) throws SQLException {
    PlanSpec spec = read(rs.getString("spec"));
    return new Plan.Stored(
        rules.compile(spec),
        spec,
        rs.getString("status"),
        rs.getInt("version"),
        Instant.ofEpochMilli(rs.getLong("effective_at")),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")));
  }

  private static Rejected notFound(String id) {
    return Rejected.notFound("id", "plan " + id + " not found");
  }

  private String write(PlanSpec spec) {
    try {
      return json.writeValueAsString(spec);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private PlanSpec read(String text) {
    try {
      return json.readValue(text, PlanSpec.class);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable stored plan", e);
    }
  }

  /** Plans by status (deleted ones not counted). */
  public java.util.SortedMap<String, Integer> countByStatus() {
    java.util.SortedMap<String, Integer> out = new java.util.TreeMap<>();
    db.inTransaction(c -> Sql.list(c, "SELECT status, COUNT(*) FROM plans WHERE status <> 'deleted' GROUP BY status", rs -> out.put(rs.getString(1), rs.getInt(2))));
    return out;
  }
}
