package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.job.JobTransitions;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * A customer's runs of customer plans: started once per plan and customer by what happened to
 * them, ended when they leave the plan's stage or stop being active (the expander marks a run
 * done once its last step is queued). Each call runs in the caller's transaction.
 */
public final class PlanRuns {
  private final JdbcPlanStore plans;
  private final JobTransitions transitions;

  public PlanRuns(JdbcPlanStore plans, JobTransitions transitions) {
    this.plans = plans;
    this.transitions = transitions;
  }

  /** The active customer plans, read once per transaction by whoever starts runs. */
  public List<Plan.Stored> customerPlans(Connection c) throws SQLException {
    return plans.active(c).stream().filter(p -> p.plan().kind() == Plan.Kind.CUSTOMER).toList();
  }

  /** Starts the plans this event triggers, where the stage the event is about is the customer's own. */
  public static int start(Connection c, List<Plan.Stored> customerPlans, Customer customer, String type, String tag, Instant at, String eventId)
      throws SQLException {
    return start(c, customerPlans, customer, type, customer.stage(), tag, at, eventId);
  }

  /**
   * Starts the customer plans this event triggers (once per plan and customer): the event type
   * matches, and the stage (for stage_left, the one left) or the tag added is the plan's.
   */
  public static int start(Connection c, List<Plan.Stored> customerPlans, Customer customer, String type, String stage, String tag, Instant at, String eventId)
      throws SQLException {
    int started = 0;
    for (Plan.Stored p : customerPlans) {
      Plan plan = p.plan();
      boolean triggered = plan.triggerEvent().equals(type)
          && (plan.triggerStage() == null || plan.triggerStage().equals(stage))
          && (plan.triggerTag() == null || plan.triggerTag().equals(tag));
      boolean inStage = plan.stage() == null || plan.stage().equals(customer.stage());
      if (triggered && inStage && startRun(c, plan.id(), customer.id(), at, eventId)) {
        started++;
      }
    }
    return started;
  }

  /** A channel code's welcome plan, started once for the customer whatever its trigger says. */
  public static int startWelcome(Connection c, List<Plan.Stored> customerPlans, String planId, Customer customer, Instant at, String eventId)
      throws SQLException {
    boolean active = customerPlans.stream().anyMatch(p -> p.plan().id().equals(planId));
    return active && startRun(c, planId, customer.id(), at, eventId) ? 1 : 0;
  }

  /**
   * A yearly plan's run for this year's day, anchored at the day's start: a new run, or last year's
   * run begun again; false when this year's has started already.
   */
  public static boolean startYearly(Connection c, String planId, String customerId, Instant dayStart, String eventId) throws SQLException {
    if (startRun(c, planId, customerId, dayStart, eventId)) {
      return true;
    }
    return Sql.update(c, "UPDATE plan_runs SET anchor_at = ?, event_id = ?, status = 'active', exit_reason = NULL WHERE plan_id = ? AND customer_id = ? AND anchor_at < ?",
        dayStart.toEpochMilli(), eventId, planId, customerId, dayStart.toEpochMilli()) == 1;
  }

  /** The customer's one run of a plan, anchored at {@code at}; false when they had one already. */
  private static boolean startRun(Connection c, String planId, String customerId, Instant at, String eventId) throws SQLException {
    if (Sql.count(c, "SELECT COUNT(*) FROM plan_runs WHERE plan_id = ? AND customer_id = ?", planId, customerId) > 0) {
      return false;
    }
    Sql.update(c, "INSERT INTO plan_runs (plan_id, customer_id, anchor_at, event_id, status) VALUES (?, ?, ?, ?, 'active')", planId, customerId, at.toEpochMilli(), eventId);
    return true;
  }

  /**
   * Ends the customer's running plans that no longer apply (all of them when the customer is not
   * active; with {@code stageChanged}, those bound to a stage they are no longer in), cancelling
   * their queued steps with the reason. Returns how many ended.
   */
  public int end(Connection c, Customer customer, boolean stageChanged, Instant now) throws SQLException {
    List<String> runs =
        Sql.list(c, "SELECT plan_id FROM plan_runs WHERE customer_id = ? AND status = 'active'", rs -> rs.getString(1), customer.id());
    int ended = 0;
    for (String planId : runs) {
      String planStage = plans.find(c, planId).map(p -> p.plan().stage()).orElse(null);
      String why = null;
      if (!customer.status().equals("active")) {
        why = "exit: customer " + customer.status();
      } else if (stageChanged && planStage != null && !planStage.equals(customer.stage())) {
        why = "exit: customer left stage " + planStage + " for " + customer.stage();
      }
      if (why != null) {
        Sql.update(c, "UPDATE plan_runs SET status = 'exited', exit_reason = ? WHERE plan_id = ? AND customer_id = ?", why, planId, customer.id());
        transitions.endCustomerSequence(c, planId, customer.id(), why, now);
        ended++;
      }
    }
    return ended;
  }

  /** Erasure (PIPL): the customer's plan runs. */
  public static int erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    return Sql.update(c, "DELETE FROM plan_runs WHERE customer_id = ?", customerId);
  }
}
