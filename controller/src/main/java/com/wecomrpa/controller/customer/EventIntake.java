package com.wecomrpa.controller.customer;

import com.wecomrpa.controller.job.JobTransitions;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.channel.ChannelCodes;
import com.wecomrpa.controller.sop.JdbcPlanStore;
import com.wecomrpa.controller.stage.StageEngine;
import com.wecomrpa.controller.tagging.Tagger;
import com.wecomrpa.controller.sop.Plan;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Takes customer events in batches: keeps the customer's record (nickname, stage, fields, status)
 * current, starts customer SOPs whose trigger matches (once per plan and customer), and ends them
 * when the customer leaves the plan's stage or is deleted or blocked.
 */
public final class EventIntake {
  public static final Set<String> TYPES =
      Set.of("friend_added", "customer_added", "joined_group", "order_placed", "stage_entered", "customer_deleted", "customer_blocked");

  /** What a batch did. */
  public record Outcome(int accepted, int duplicates, int sequencesStarted, int sequencesEnded) {}

  private record Checked(CustomerEvent event, Instant at) {}

  private static final TypeReference<Map<String, String>> FIELDS = new TypeReference<>() {};

  private final Database db;
  private final JdbcPlanStore plans;
  private final JobTransitions transitions;
  private final ObjectMapper json = WireCodec.mapper();

  private final StageEngine stages;

  public EventIntake(Database db, JdbcPlanStore plans, JobTransitions transitions, StageEngine stages) {
    this.db = db;
    this.plans = plans;
    this.transitions = transitions;
    this.stages = stages;
  }

  /** Applies the whole batch in one transaction, or refuses it naming the first bad field. */
  public Outcome accept(List<CustomerEvent> events, Instant now) {
    if (events == null || events.isEmpty()) {
      throw Rejected.invalid("events", "events must be a non-empty list");
    }
    if (events.size() > 10_000) {
      throw Rejected.invalid("events", "at most 10000 events per batch");
    }
    List<Checked> checked = new java.util.ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      checked.add(check("events[" + i + "]", events.get(i), now));
    }
    return db.inTransaction(
        c -> {
          int accepted = 0;
          int duplicates = 0;
          int started = 0;
          int ended = 0;
          java.util.Set<String> touched = new java.util.LinkedHashSet<>();
          List<Plan.Stored> customerPlans =
              plans.active(c).stream().filter(p -> p.plan().kind() == Plan.Kind.CUSTOMER).toList();
          for (int i = 0; i < checked.size(); i++) {
            CustomerEvent e = checked.get(i).event();
            Instant at = checked.get(i).at();
            if (Sql.count(c, "SELECT COUNT(*) FROM events WHERE id = ?", e.id()) > 0) {
              duplicates++;
              continue;
            }
            String f = "events[" + i + "]";
            ChannelCodes.Code code = e.channelCode() == null ? null : ChannelCodes.find(c, e.channelCode())
                .orElseThrow(() -> Rejected.notFound(f + ".channelCode", f + ".channelCode: channel code " + e.channelCode() + " not found"));
            if (code != null && e.accountId() != null && !e.accountId().equals(code.accountId())) {
              throw Rejected.conflict(f + ".accountId", "channel code " + code.code() + " belongs to account " + code.accountId() + ", not " + e.accountId());
            }
            boolean fresh = find(c, e.customerId()).isEmpty();
            Customer customer = upsertCustomer(c, f, code == null ? e : withAccount(e, code.accountId()), now);
            if (fresh) {
              Sql.update(c, "UPDATE customers SET added_at = ? WHERE id = ?", at.toEpochMilli(), customer.id());
            }
            if (code != null) {
              Sql.update(c, "UPDATE customers SET channel_code = ?, source = ? WHERE id = ? AND channel_code IS NULL", code.code(), code.source(), customer.id());
              for (String tag : code.tags()) {
                Tagger.addTag(c, customer.id(), tag, "channel:" + code.code(), null, now);
              }
            }
            Sql.update(c, "INSERT INTO events (id, type, customer_id, occurred_at, received_at, body) VALUES (?, ?, ?, ?, ?, ?)",
                e.id(), e.type(), e.customerId(), at.toEpochMilli(), now.toEpochMilli(), write(e));
            accepted++;
            ended += endSequences(c, customer, e, now);
            if (!customer.status().equals("active")) {
              continue;
            }
            started += startPlans(c, customerPlans, customer, e.type(), null, at, e.id());
            if (code != null && code.welcomePlan() != null) {
              started += startWelcome(c, customerPlans, code.welcomePlan(), customer, at, e.id());
            }
            if (fresh || code != null) {
              touched.add(customer.id());
            }
          }
          // A new customer (or one a code now places) has facts for the stage rules.
          stages.evaluateCustomers(c, touched, now, "event");
          return new Outcome(accepted, duplicates, started, ended);
        });
  }

  /**
   * Starts the customer plans this event triggers (once per plan and customer): the event type
   * matches, and the stage entered or the tag added is the plan's. Returns how many started.
   */
  public static int startPlans(Connection c, List<Plan.Stored> customerPlans, Customer customer, String type, String tag, Instant at, String eventId)
      throws SQLException {
    return startPlans(c, customerPlans, customer, type, customer.stage(), tag, at, eventId);
  }

  /** As above, where {@code stage} is the stage the event is about (for stage_left, the one left). */
  public static int startPlans(Connection c, List<Plan.Stored> customerPlans, Customer customer, String type, String stage, String tag, Instant at, String eventId)
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
  private static int startWelcome(Connection c, List<Plan.Stored> customerPlans, String planId, Customer customer, Instant at, String eventId) throws SQLException {
    boolean active = customerPlans.stream().anyMatch(p -> p.plan().id().equals(planId));
    return active && startRun(c, planId, customer.id(), at, eventId) ? 1 : 0;
  }

  /** The customer's one run of a plan, anchored at {@code at}; false when they had one already. */
  private static boolean startRun(Connection c, String planId, String customerId, Instant at, String eventId) throws SQLException {
    if (Sql.count(c, "SELECT COUNT(*) FROM plan_runs WHERE plan_id = ? AND customer_id = ?", planId, customerId) > 0) {
      return false;
    }
    Sql.update(c, "INSERT INTO plan_runs (plan_id, customer_id, anchor_at, event_id, status) VALUES (?, ?, ?, ?, 'active')", planId, customerId, at.toEpochMilli(), eventId);
    return true;
  }

  private static CustomerEvent withAccount(CustomerEvent e, String account) {
    return new CustomerEvent(e.id(), e.type(), account, e.customerId(), e.at(), e.nickname(), e.stage(), e.fields(), e.channelCode());
  }

  public Optional<Customer> customer(String id) {
    return db.inTransaction(c -> find(c, id));
  }

  private Checked check(String f, CustomerEvent e, Instant now) {
    if (e == null) {
      throw Rejected.invalid(f, f + " must be an object");
    }
    Fields.maxLength(f + ".id", Fields.required(f + ".id", e.id()), 128);
    String type = Fields.required(f + ".type", e.type());
    if (!TYPES.contains(type)) {
      throw Rejected.invalid(f + ".type", f + ".type must be one of " + new java.util.TreeSet<>(TYPES));
    }
    Fields.id(f + ".customerId", e.customerId());
    if (e.channelCode() != null) {
      Fields.id(f + ".channelCode", e.channelCode());
      if (!type.equals("customer_added") && !type.equals("friend_added")) {
        throw Rejected.invalid(f + ".channelCode", f + ".channelCode applies to customer_added and friend_added");
      }
    }
    if (type.equals("stage_entered")) {
      Fields.maxLength(f + ".stage", Fields.required(f + ".stage", e.stage()), 64);
    }
    Fields.maxLength(f + ".nickname", e.nickname(), 200);
    Instant at = now;
    if (e.at() != null) {
      try {
        at = Instant.parse(e.at());
      } catch (DateTimeException ex) {
        throw Rejected.invalid(f + ".at", f + ".at '" + e.at() + "' must be an ISO instant like 2026-11-22T09:00:00Z");
      }
    }
    return new Checked(e, at);
  }

  private Customer upsertCustomer(Connection c, String f, CustomerEvent e, Instant now) throws SQLException {
    Optional<Customer> existing = find(c, e.customerId());
    String status = switch (e.type()) {
      case "customer_deleted" -> "deleted";
      case "customer_blocked" -> "blocked";
      default -> null;
    };
    if (existing.isEmpty()) {
      String account = Fields.id(f + ".accountId", e.accountId());
      if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", account) == 0) {
        throw Rejected.notFound(f + ".accountId", "account " + account + " not found");
      }
      Customer fresh =
          new Customer(e.customerId(), account, e.nickname() == null ? e.customerId() : e.nickname(), e.stage(), status == null ? "active" : status,
              e.fields() == null ? Map.of() : e.fields());
      Sql.update(c, "INSERT INTO customers (id, account_id, nickname, stage, status, fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          fresh.id(), fresh.accountId(), fresh.nickname(), fresh.stage(), fresh.status(), write(fresh.fields()), now.toEpochMilli(), now.toEpochMilli());
      return fresh;
    }
    Customer old = existing.get();
    if (e.accountId() != null && !e.accountId().equals(old.accountId())) {
      throw Rejected.conflict(f + ".accountId", "customer " + old.id() + " belongs to account " + old.accountId());
    }
    Map<String, String> fields = new LinkedHashMap<>(old.fields());
    if (e.fields() != null) {
      fields.putAll(e.fields());
    }
    Customer updated =
        new Customer(old.id(), old.accountId(), e.nickname() == null ? old.nickname() : e.nickname(),
            e.type().equals("stage_entered") ? e.stage() : old.stage(), status == null ? old.status() : status, fields);
    Sql.update(c, "UPDATE customers SET nickname = ?, stage = ?, status = ?, fields = ?, updated_at = ? WHERE id = ?",
        updated.nickname(), updated.stage(), updated.status(), write(updated.fields()), now.toEpochMilli(), updated.id());
    return updated;
  }

  /** Ends the customer's running sequences that no longer apply, cancelling their queued steps. */
  private int endSequences(Connection c, Customer customer, CustomerEvent e, Instant now) throws SQLException {
    return endRuns(c, plans, transitions, customer, e.type().equals("stage_entered"), now);
  }

  /**
   * Ends the customer's running plans that no longer apply (all of them when the customer is not
   * active; with {@code stageChanged}, those bound to a stage they are no longer in), cancelling
   * their queued steps with the reason. Returns how many ended.
   */
  public static int endRuns(Connection c, JdbcPlanStore plans, JobTransitions transitions, Customer customer, boolean stageChanged, Instant now)
      throws SQLException {
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

  /** A customer as the expander needs it. */
  public static Optional<Customer> find(Connection c, String id) throws SQLException {
    ObjectMapper m = WireCodec.mapper();
    return Sql.one(
        c,
        "SELECT id, account_id, nickname, stage, status, fields FROM customers WHERE id = ?",
        rs -> {
          Map<String, String> fields;
          try {
            fields = m.readValue(rs.getString(6), FIELDS);
          } catch (Exception ex) {
            fields = new HashMap<>();
          }
          return new Customer(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), fields);
        },
        id);
  }

  private String write(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
