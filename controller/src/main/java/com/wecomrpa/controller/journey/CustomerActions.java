package com.wecomrpa.controller.journey;

import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.JobTransitions;
import com.wecomrpa.controller.sop.JdbcPlanStore;
import com.wecomrpa.controller.sop.Plan;
import com.wecomrpa.controller.sop.PlanRuns;
import com.wecomrpa.controller.sop.Triggers;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * What an operator does to one customer by hand: tag and untag (a tag added by hand starts the
 * plans its tag_added trigger names, as a keyword rule's does), start a customer plan for them now,
 * and end a plan run (its queued steps cancelled with the reason). Each is audited with the state
 * before and after, in the same transaction as the change.
 */
public final class CustomerActions {
  /** One of a customer's plan runs. */
  public record Run(String planId, String planName, String status, String startedAt, String exitReason, int queued) {}

  private final Database db;
  private final JdbcPlanStore plans;
  private final JobTransitions transitions;
  private final AuditLog audit;

  public CustomerActions(Database db, JdbcPlanStore plans, JobTransitions transitions, AuditLog audit) {
    this.db = db;
    this.plans = plans;
    this.transitions = transitions;
    this.audit = audit;
  }

  public List<Run> runs(String customerId) {
    return db.inTransaction(c -> {
      customer(c, customerId);
      List<Run> runs = Sql.list(c, "SELECT r.plan_id, r.status, r.anchor_at, r.exit_reason, (SELECT COUNT(*) FROM jobs j WHERE j.source_kind = 'plan'"
              + " AND j.source_id = r.plan_id AND j.customer_id = r.customer_id AND j.state = 'QUEUED') FROM plan_runs r WHERE r.customer_id = ? ORDER BY r.anchor_at DESC",
          rs -> new Run(rs.getString(1), null, rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)).toString(), rs.getString(4), rs.getInt(5)), customerId);
      List<Run> named = new java.util.ArrayList<>();
      for (Run r : runs) {
        named.add(new Run(r.planId(), name(c, r.planId()), r.status(), r.startedAt(), r.exitReason(), r.queued()));
      }
      return named;
    });
  }

  /** Adds a known tag; true if the customer did not have it. */
  public boolean tag(Caller who, String customerId, String tag, String reason, Instant now) {
    return db.inTransaction(c -> {
      Customer customer = customer(c, customerId);
      known(c, tag);
      if (!Customers.addTag(c, customerId, tag, by(who), null, now)) {
        return false;
      }
      if (customer.status().equals("active")) {
        List<Plan.Stored> tagPlans = plans.active(c).stream()
            .filter(p -> p.plan().kind() == Plan.Kind.CUSTOMER && Triggers.TAG_ADDED.equals(p.plan().triggerEvent())).toList();
        PlanRuns.start(c, tagPlans, customer, Triggers.TAG_ADDED, tag, now, "tag:" + customerId + ":" + tag + ":hand:" + now.toEpochMilli());
      }
      audit.record(c, who, "customer.tag", customerId, null, tag, reason, now);
      return true;
    });
  }

  /** Takes a tag off; true if the customer had it. */
  public boolean untag(Caller who, String customerId, String tag, String reason, Instant now) {
    return db.inTransaction(c -> {
      customer(c, customerId);
      if (!Customers.removeTag(c, customerId, tag, by(who), null, now)) {
        return false;
      }
      audit.record(c, who, "customer.untag", customerId, tag, null, reason, now);
      return true;
    });
  }

  /** Starts an active customer plan for the customer now, whatever its trigger; once per customer and plan. */
  public Run start(Caller who, String customerId, String planId, String reason, Instant now) {
    return db.inTransaction(c -> {
      Customer customer = customer(c, customerId);
      if (!customer.status().equals("active")) {
        throw Rejected.conflict("id", "customer " + customerId + " is " + customer.status() + ": no plan starts for them");
      }
      Plan.Stored p = plans.find(c, planId).orElseThrow(() -> Rejected.notFound("planId", "plan " + planId + " not found"));
      if (p.plan().kind() != Plan.Kind.CUSTOMER || !p.status().equals("active")) {
        throw Rejected.invalid("planId", "plan " + planId + " is a " + p.plan().kind().name().toLowerCase() + " plan, " + p.status()
            + ": only an active customer plan starts for one customer");
      }
      if (PlanRuns.startWelcome(c, List.of(p), planId, customer, now, "hand:" + customerId + ":" + planId + ":" + now.toEpochMilli()) == 0) {
        throw Rejected.conflict("planId", "customer " + customerId + " has had a run of plan " + planId + " already (see their plans)");
      }
      audit.record(c, who, "customer.plan-start", customerId, null, planId, reason, now);
      return new Run(planId, p.plan().name(), "active", now.toString(), null, 0);
    });
  }

  /** Ends the customer's run of a plan: its queued steps are cancelled with the reason. */
  public Run end(Caller who, String customerId, String planId, String reason, Instant now) {
    return db.inTransaction(c -> {
      customer(c, customerId);
      String status = Sql.one(c, "SELECT status FROM plan_runs WHERE plan_id = ? AND customer_id = ?", rs -> rs.getString(1), planId, customerId)
          .orElseThrow(() -> Rejected.notFound("planId", "customer " + customerId + " has no run of plan " + planId));
      if (status.equals("exited")) {
        throw Rejected.conflict("planId", "the run of plan " + planId + " has ended already");
      }
      String why = "ended by " + who.name() + (reason == null ? "" : ": " + reason);
      Sql.update(c, "UPDATE plan_runs SET status = 'exited', exit_reason = ? WHERE plan_id = ? AND customer_id = ?", why, planId, customerId);
      int cancelled = transitions.endCustomerSequence(c, planId, customerId, why, now);
      audit.record(c, who, "customer.plan-end", customerId, planId + " " + status, planId + " exited, " + cancelled + " queued steps cancelled", reason, now);
      return new Run(planId, name(c, planId), "exited", null, why, 0);
    });
  }

  private Customer customer(Connection c, String id) throws SQLException {
    return Customers.find(c, id).orElseThrow(() -> Rejected.notFound("id", "customer " + id + " not found"));
  }

  private static void known(Connection c, String tag) throws SQLException {
    if (Sql.count(c, "SELECT COUNT(*) FROM tags WHERE name = ?", tag) == 0) {
      throw Rejected.invalid("tag", "no tag " + tag + ": create it first (PUT /tags/{name})");
    }
  }

  private String name(Connection c, String planId) throws SQLException {
    return plans.find(c, planId).map(p -> p.plan().name()).orElse(planId);
  }

  /** The change's author as tag_changes keeps it: by hand, and who. */
  private static String by(Caller who) {
    String s = "hand:" + who.name();
    return s.length() > 64 ? s.substring(0, 64) : s;
  }
}
