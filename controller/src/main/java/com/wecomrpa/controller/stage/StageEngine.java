package com.wecomrpa.controller.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.sop.Plan;
import com.wecomrpa.controller.sop.PlanRuns;
import com.wecomrpa.controller.sop.Triggers;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.outbox.EventOutbox;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides customers' stages by the rules in force and moves them: each move is recorded with the
 * rule and version that made it, ends the customer plans of the stage left and starts the plans
 * triggered by {@code stage_left} and {@code stage_entered} (once per plan and customer). A rule
 * change is previewed by the same computation that saving it then applies.
 */
public final class StageEngine {
  /** Customers who would move (or moved) from one stage to another, with a few of them. */
  public record Move(String from, String to, int count, List<Example> examples) {}

  public record Example(String customerId, String nickname, String rule) {}

  /** What a preview or a save found: customers looked at, and the moves by from and to. */
  public record Moves(int evaluated, int moving, List<Move> moves) {}

  /** A saved version and what it moved. */
  public record Saved(int version, Moves moves, int plansStarted, int plansEnded) {}

  /** What one evaluation did. */
  public record Applied(int evaluated, int transitions, int plansStarted, int plansEnded) {
    static final Applied NONE = new Applied(0, 0, 0, 0);
  }

  /** The rules in force and their version. */
  public record InForce(int version, StageRules rules, String savedBy, Instant savedAt) {}

  private record Change(Facts.Subject who, StageRules.Decision decision) {}

  private final Database db;
  private final PlanRuns runs;
  private final AuditLog audit;
  private final ObjectMapper json = WireCodec.mapper();
  private volatile InForce cached;

  public StageEngine(Database db, PlanRuns runs, AuditLog audit) {
    this.db = db;
    this.runs = runs;
    this.audit = audit;
  }

  /** The rules in force, if any were ever saved. */
  public Optional<InForce> current(Connection c) throws SQLException {
    Optional<Object[]> row = Sql.one(c, "SELECT version, spec, saved_by, saved_at FROM stage_rule_versions ORDER BY version DESC LIMIT 1",
        rs -> new Object[] {rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4)});
    if (row.isEmpty()) {
      return Optional.empty();
    }
    int version = (Integer) row.get()[0];
    InForce c0 = cached;
    if (c0 != null && c0.version() == version) {
      return Optional.of(c0);
    }
    InForce fresh = new InForce(version, StageRules.check(read((String) row.get()[1])), (String) row.get()[2], Instant.ofEpochMilli((Long) row.get()[3]));
    cached = fresh;
    return Optional.of(fresh);
  }

  public Optional<InForce> current() {
    return db.inTransaction(this::current);
  }

  /** Re-decides the active customers matching {@code where} (on {@code cu}) and moves those whose stage changes. */
  public Applied evaluate(Connection c, String where, Instant now, String cause, Object... args) throws SQLException {
    Optional<InForce> rules = current(c);
    if (rules.isEmpty()) {
      return Applied.NONE;
    }
    List<Facts.Subject> subjects = Facts.load(c, where, now, args);
    List<Change> changes = decide(rules.get().rules(), subjects);
    return apply(c, changes, rules.get().version(), cause, now, subjects.size());
  }

  /** Re-decides the given customers (after their orders or events changed). */
  public Applied evaluateCustomers(Connection c, java.util.Collection<String> customerIds, Instant now, String cause) throws SQLException {
    int evaluated = 0;
    int moved = 0;
    int started = 0;
    int ended = 0;
    List<String> ids = List.copyOf(customerIds);
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      Applied a = evaluate(c, "cu.id IN (" + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")", now, cause, chunk.toArray());
      evaluated += a.evaluated();
      moved += a.transitions();
      started += a.plansStarted();
      ended += a.plansEnded();
    }
    return new Applied(evaluated, moved, started, ended);
  }

  /** What these rules would do now, changing nothing. */
  public Moves preview(StageRules.Spec spec, Instant now) {
    StageRules rules = StageRules.check(spec);
    return db.inTransaction(c -> {
      List<Facts.Subject> subjects = Facts.load(c, "1 = 1", now);
      return moves(subjects.size(), decide(rules, subjects));
    });
  }

  /** Saves the rules as the next version and moves every customer they now place elsewhere; audited. */
  public Saved save(StageRules.Spec spec, Caller actor, Instant now) {
    StageRules rules = StageRules.check(spec);
    return db.inTransaction(c -> {
      int version = (int) Sql.count(c, "SELECT COALESCE(MAX(version), 0) FROM stage_rule_versions") + 1;
      String old = current(c).map(r -> write(r.rules().spec())).orElse(null);
      Sql.update(c, "INSERT INTO stage_rule_versions (version, spec, note, saved_by, saved_at) VALUES (?, ?, ?, ?, ?)",
          version, write(spec), spec.note(), actor.name(), now.toEpochMilli());
      audit.record(c, actor, "stage-rules.save", "stage-rules/v" + version, old, write(spec), spec.note(), now);
      List<Facts.Subject> subjects = Facts.load(c, "1 = 1", now);
      List<Change> changes = decide(rules, subjects);
      Applied a = apply(c, changes, version, "rules-v" + version, now, subjects.size());
      return new Saved(version, moves(subjects.size(), changes), a.plansStarted(), a.plansEnded());
    });
  }

  private static List<Change> decide(StageRules rules, List<Facts.Subject> subjects) {
    List<Change> out = new ArrayList<>();
    for (Facts.Subject s : subjects) {
      StageRules.Decision d = rules.decide(s.facts());
      if (d != null && !d.stage().equals(s.stage())) {
        out.add(new Change(s, d));
      }
    }
    return out;
  }

  private static Moves moves(int evaluated, List<Change> changes) {
    Map<String, List<Change>> byPair = new LinkedHashMap<>();
    for (Change ch : changes) {
      byPair.computeIfAbsent(String.valueOf(ch.who().stage()) + "\u0000" + ch.decision().stage(), k -> new ArrayList<>()).add(ch);
    }
    List<Move> out = new ArrayList<>();
    byPair.forEach((k, list) -> out.add(new Move(list.get(0).who().stage(), list.get(0).decision().stage(), list.size(),
        list.stream().limit(3).map(ch -> new Example(ch.who().id(), ch.who().nickname(), ch.decision().rule())).toList())));
    out.sort(java.util.Comparator.comparing((Move m) -> -m.count()).thenComparing(m -> String.valueOf(m.from())).thenComparing(Move::to));
    return new Moves(evaluated, changes.size(), out);
  }

  private Applied apply(Connection c, List<Change> changes, int version, String cause, Instant now, int evaluated) throws SQLException {
    if (changes.isEmpty()) {
      return new Applied(evaluated, 0, 0, 0);
    }
    List<Plan.Stored> customerPlans = runs.customerPlans(c);
    int started = 0;
    int ended = 0;
    for (Change ch : changes) {
      Facts.Subject s = ch.who();
      String to = ch.decision().stage();
      Customers.moveStage(c, s.id(), to, now);
      Sql.update(c, "INSERT INTO stage_transitions (customer_id, account_id, from_stage, to_stage, rule_name, rule_version, cause, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          s.id(), s.accountId(), s.stage(), to, ch.decision().rule(), version, cause, now.toEpochMilli());
      Customer moved = Customers.find(c, s.id()).orElseThrow();
      ended += runs.end(c, moved, true, now);
      String eventId = "stage:" + s.id() + ":" + now.toEpochMilli() + ":" + to;
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("customerId", s.id());
      event.put("accountId", s.accountId());
      event.put("from", s.stage());
      event.put("to", to);
      event.put("rule", ch.decision().rule());
      event.put("ruleVersion", version);
      event.put("cause", cause);
      EventOutbox.add(c, "stage.changed", eventId, event, now);
      if (s.stage() != null) {
        started += PlanRuns.start(c, customerPlans, moved, Triggers.STAGE_LEFT, s.stage(), null, now, eventId);
      }
      started += PlanRuns.start(c, customerPlans, moved, Triggers.STAGE_ENTERED, to, null, now, eventId);
    }
    return new Applied(evaluated, changes.size(), started, ended);
  }

  private StageRules.Spec read(String s) {
    try {
      return json.readValue(s, StageRules.Spec.class);
    } catch (Exception e) {
      throw new IllegalStateException("stored stage rules unreadable", e);
    }
  }

  private String write(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Erasure (PIPL): the customer's stage moves. */
  public static int erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    return Sql.update(c, "DELETE FROM stage_transitions WHERE customer_id = ?", customerId);
  }
}
