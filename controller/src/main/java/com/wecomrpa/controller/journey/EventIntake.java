package com.wecomrpa.controller.journey;

import com.wecomrpa.controller.channel.ChannelCodes;
import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.sop.Plan;
import com.wecomrpa.controller.sop.PlanRuns;
import com.wecomrpa.controller.sop.Triggers;
import com.wecomrpa.controller.stage.StageEngine;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
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
  public static final Set<String> TYPES = Triggers.FED;

  /** What a batch did. */
  public record Outcome(int accepted, int duplicates, int sequencesStarted, int sequencesEnded) {}

  private record Checked(CustomerEvent event, Instant at) {}

  private final ObjectMapper json = WireCodec.mapper();
  private final Database db;
  private final PlanRuns runs;
  private final StageEngine stages;

  public EventIntake(Database db, PlanRuns runs, StageEngine stages) {
    this.db = db;
    this.runs = runs;
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
    return db.inTransaction(c -> apply(c, checked, now));
  }

  /**
   * Events the controller itself saw (a friend added, a join heard in a chat), in the caller's
   * transaction: the same checks, the same once-only by id, the same plans started.
   */
  public Outcome acceptIn(Connection c, List<CustomerEvent> events, Instant now) throws SQLException {
    List<Checked> checked = new java.util.ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      checked.add(check("events[" + i + "]", events.get(i), now));
    }
    return apply(c, checked, now);
  }

  /**
   * An event the controller raised itself about a known customer (an order stored by the orders
   * intake), with variables a plan it starts may use ({@code {order_amount}}): stored once by id,
   * plans started as for a fed event. Returns how many plans started.
   */
  public int raiseIn(Connection c, String eventId, String type, String customerId, Instant at, Map<String, String> vars, Instant now) throws SQLException {
    if (Sql.count(c, "SELECT COUNT(*) FROM events WHERE id = ?", eventId) > 0) {
      return 0;
    }
    Optional<Customer> customer = Customers.find(c, customerId);
    if (customer.isEmpty()) {
      return 0;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", eventId);
    body.put("type", type);
    body.put("customerId", customerId);
    body.put("vars", vars);
    Sql.update(c, "INSERT INTO events (id, type, customer_id, occurred_at, received_at, body) VALUES (?, ?, ?, ?, ?, ?)",
        eventId, type, customerId, at.toEpochMilli(), now.toEpochMilli(), write(body));
    if (!customer.get().status().equals("active")) {
      return 0;
    }
    return PlanRuns.start(c, runs.customerPlans(c), customer.get(), type, null, at, eventId);
  }

  private Outcome apply(Connection c, List<Checked> checked, Instant now) throws SQLException {
    int accepted = 0;
    int duplicates = 0;
    int started = 0;
    int ended = 0;
    java.util.Set<String> touched = new java.util.LinkedHashSet<>();
    List<Plan.Stored> customerPlans = runs.customerPlans(c);
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
      boolean fresh = Customers.find(c, e.customerId()).isEmpty();
      Customer customer = upsertCustomer(c, f, code == null ? e : withAccount(e, code.accountId()), now);
      if (fresh) {
        Customers.markAdded(c, customer.id(), at);
      }
      if (code != null) {
        Customers.attribute(c, customer.id(), code.code(), code.source());
        for (String tag : code.tags()) {
          Customers.addTag(c, customer.id(), tag, "channel:" + code.code(), null, now);
        }
      }
      Sql.update(c, "INSERT INTO events (id, type, customer_id, occurred_at, received_at, body) VALUES (?, ?, ?, ?, ?, ?)",
          e.id(), e.type(), e.customerId(), at.toEpochMilli(), now.toEpochMilli(), write(e));
      accepted++;
      ended += runs.end(c, customer, e.type().equals(Triggers.STAGE_ENTERED), now);
      if (!customer.status().equals("active")) {
        continue;
      }
      started += PlanRuns.start(c, customerPlans, customer, e.type(), null, at, e.id());
      if (code != null && code.welcomePlan() != null) {
        started += PlanRuns.startWelcome(c, customerPlans, code.welcomePlan(), customer, at, e.id());
      }
      if (fresh || code != null) {
        touched.add(customer.id());
      }
    }
    // A new customer (or one a code now places) has facts for the stage rules.
    stages.evaluateCustomers(c, touched, now, "event");
    return new Outcome(accepted, duplicates, started, ended);
  }

  private static CustomerEvent withAccount(CustomerEvent e, String account) {
    return new CustomerEvent(e.id(), e.type(), account, e.customerId(), e.at(), e.nickname(), e.stage(), e.fields(), e.channelCode());
  }

  public Optional<Customer> customer(String id) {
    return db.inTransaction(c -> Customers.find(c, id));
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
      if (!type.equals(Triggers.CUSTOMER_ADDED) && !type.equals(Triggers.FRIEND_ADDED)) {
        throw Rejected.invalid(f + ".channelCode", f + ".channelCode applies to customer_added and friend_added");
      }
    }
    if (type.equals(Triggers.STAGE_ENTERED)) {
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
    Optional<Customer> existing = Customers.find(c, e.customerId());
    String status = switch (e.type()) {
      case Triggers.CUSTOMER_DELETED -> "deleted";
      case Triggers.CUSTOMER_BLOCKED -> "blocked";
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
      Customers.insert(c, fresh, null, now);
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
            e.type().equals(Triggers.STAGE_ENTERED) ? e.stage() : old.stage(), status == null ? old.status() : status, fields);
    Customers.update(c, updated, now);
    return updated;
  }

  private String write(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Erasure (PIPL): the customer's events (their bodies may name the person). */
  public static int erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    return Sql.update(c, "DELETE FROM events WHERE customer_id = ?", customerId);
  }
}
