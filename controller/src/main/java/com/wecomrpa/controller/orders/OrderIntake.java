package com.wecomrpa.controller.orders;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.stage.StageEngine;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Orders in batches from the order system, all or nothing: an order id is stored once (sent again,
 * it is a duplicate); the same id with status {@code refunded} refunds it. A customer not seen
 * before is created under the order's account. The customers whose orders changed are re-decided
 * by the stage rules in the same transaction.
 */
public final class OrderIntake {
  /** One order as sent. {@code amount} in the currency's units (12.50); {@code at} an ISO instant. */
  public record OrderIn(String id, String customerId, String accountId, String nickname, String at, BigDecimal amount, List<String> products, String status) {}

  /** What a batch did. */
  public record Outcome(int accepted, int refunded, int duplicates, int stageMoves, int plansStarted) {}

  private record Checked(OrderIn order, Instant at, long cents, List<String> products) {}

  public static final int MAX_BATCH = 5_000;

  private final Database db;
  private final StageEngine stages;

  /** What an order stored raises: order_placed, with the order's variables (journey.EventIntake::raiseIn). */
  @FunctionalInterface
  public interface Raise {
    int raise(java.sql.Connection c, String eventId, String type, String customerId, Instant at, java.util.Map<String, String> vars, Instant now)
        throws java.sql.SQLException;
  }

  private final Raise raise;

  public OrderIntake(Database db, StageEngine stages, Raise raise) {
    this.raise = raise;
    this.db = db;
    this.stages = stages;
  }

  public Outcome accept(List<OrderIn> orders, Instant now) {
    return accept(orders, now, false);
  }

  /** A dry run checks the batch against what is stored, then rolls back: nothing changes. */
  private static final class DryRun extends RuntimeException {
    final transient Outcome outcome;

    DryRun(Outcome outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }

  public Outcome accept(List<OrderIn> orders, Instant now, boolean dryRun) {
    try {
      return store(orders, now, dryRun);
    } catch (DryRun d) {
      return d.outcome;
    }
  }

  private Outcome store(List<OrderIn> orders, Instant now, boolean dryRun) {
    if (orders == null || orders.isEmpty()) {
      throw Rejected.invalid("orders", "orders must be a non-empty list");
    }
    if (orders.size() > MAX_BATCH) {
      throw Rejected.invalid("orders", "at most " + MAX_BATCH + " orders per batch");
    }
    List<Checked> checked = new ArrayList<>(orders.size());
    for (int i = 0; i < orders.size(); i++) {
      checked.add(check("orders[" + i + "]", orders.get(i), now));
    }
    return db.inTransaction(c -> {
      int accepted = 0;
      int refunded = 0;
      int duplicates = 0;
      int plansStarted = 0;
      Set<String> touched = new LinkedHashSet<>();
      for (int i = 0; i < checked.size(); i++) {
        String f = "orders[" + i + "]";
        Checked o = checked.get(i);
        OrderIn in = o.order();
        Optional<String[]> existing = Sql.one(c, "SELECT status, customer_id FROM orders WHERE id = ?", rs -> new String[] {rs.getString(1), rs.getString(2)}, in.id());
        if (existing.isPresent()) {
          String was = existing.get()[0];
          if (!existing.get()[1].equals(in.customerId())) {
            throw Rejected.conflict(f + ".customerId", f + ".customerId: order " + in.id() + " belongs to customer " + existing.get()[1]);
          }
          if (was.equals(in.status()) || was.equals("refunded")) {
            // The same record again, or the payment of an order refunded since: an export sent a
            // second time replays the order's history, and an order id is never paid twice.
            duplicates++;
          } else {
            Sql.update(c, "UPDATE orders SET status = 'refunded', updated_at = ? WHERE id = ?", now.toEpochMilli(), in.id());
            refunded++;
            touched.add(in.customerId());
          }
          continue;
        }
        if (in.status().equals("refunded")) {
          throw Rejected.notFound(f + ".id", f + ".id: refund of unknown order " + in.id());
        }
        customer(c, f, in, now);
        Sql.update(c, "INSERT INTO orders (id, customer_id, account_id, ordered_at, amount_cents, status, received_at, updated_at) VALUES (?, ?, ?, ?, ?, 'paid', ?, ?)",
            in.id(), in.customerId(), accountOf(c, in.customerId()), o.at().toEpochMilli(), o.cents(), now.toEpochMilli(), now.toEpochMilli());
        for (String p : o.products()) {
          Sql.update(c, "INSERT INTO order_products (order_id, product) VALUES (?, ?)", in.id(), p);
        }
        // The order is the event: plans on order_placed start here, with its products and amount.
        java.util.Map<String, String> vars = new java.util.LinkedHashMap<>();
        vars.put("order_id", in.id());
        vars.put("order_amount", java.math.BigDecimal.valueOf(o.cents(), 2).toPlainString());
        vars.put("order_products", String.join("、", o.products()));
        plansStarted += raise.raise(c, "order:" + in.id(), com.wecomrpa.controller.sop.Triggers.ORDER_PLACED, in.customerId(), o.at(), vars, now);
        accepted++;
        touched.add(in.customerId());
      }
      StageEngine.Applied moved = stages.evaluateCustomers(c, touched, now, refunded > 0 && accepted == 0 ? "refund" : "order");
      Outcome done = new Outcome(accepted, refunded, duplicates, moved.transitions(), moved.plansStarted() + plansStarted);
      if (dryRun) {
        throw new DryRun(done);
      }
      return done;
    });
  }

  /** Checks one order on its own (no store), naming fields under {@code f}; for importers that check before they send. */
  public static void check(String f, OrderIn o) {
    check(f, o, Instant.EPOCH);
  }

  private static Checked check(String f, OrderIn o, Instant now) {
    if (o == null) {
      throw Rejected.invalid(f, f + " must be an object");
    }
    Fields.maxLength(f + ".id", Fields.required(f + ".id", o.id()), 128);
    Fields.id(f + ".customerId", o.customerId());
    if (o.accountId() != null) {
      Fields.id(f + ".accountId", o.accountId());
    }
    Fields.maxLength(f + ".nickname", o.nickname(), 200);
    String status = o.status() == null ? "paid" : o.status();
    if (!status.equals("paid") && !status.equals("refunded")) {
      throw Rejected.invalid(f + ".status", f + ".status must be paid or refunded, was " + status);
    }
    Instant at = now;
    if (o.at() != null) {
      try {
        at = Instant.parse(o.at());
      } catch (DateTimeException e) {
        throw Rejected.invalid(f + ".at", f + ".at '" + o.at() + "' must be an ISO instant like 2026-11-22T09:00:00Z");
      }
    }
    long cents = 0;
    if (status.equals("paid")) {
      if (o.amount() == null) {
        throw Rejected.invalid(f + ".amount", f + ".amount is required");
      }
      if (o.amount().signum() < 0 || o.amount().scale() > 2 || o.amount().compareTo(BigDecimal.valueOf(100_000_000)) > 0) {
        throw Rejected.invalid(f + ".amount", f + ".amount must be 0 to 100000000 with at most 2 decimals, was " + o.amount().toPlainString());
      }
      cents = o.amount().movePointRight(2).longValueExact();
    }
    List<String> products = new ArrayList<>();
    List<String> given = o.products() == null ? List.of() : o.products();
    for (int j = 0; j < given.size(); j++) {
      String p = Fields.maxLength(f + ".products[" + j + "]", Fields.required(f + ".products[" + j + "]", given.get(j)), 128);
      if (!products.contains(p)) {
        products.add(p);
      }
    }
    return new Checked(new OrderIn(o.id(), o.customerId(), o.accountId(), o.nickname(), o.at(), o.amount(), o.products(), status), at, cents, products);
  }

  /** The order's customer, created under its account when new; an order may not move a customer to another account. */
  private static void customer(Connection c, String f, OrderIn in, Instant now) throws SQLException {
    Optional<Customer> existing = Customers.find(c, in.customerId());
    if (existing.isPresent()) {
      if (in.accountId() != null && !in.accountId().equals(existing.get().accountId())) {
        throw Rejected.conflict(f + ".accountId", f + ".accountId: customer " + in.customerId() + " belongs to account " + existing.get().accountId());
      }
      return;
    }
    if (in.accountId() == null) {
      throw Rejected.invalid(f + ".accountId", f + ".accountId is required for customer " + in.customerId() + ", not seen before");
    }
    if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", in.accountId()) == 0) {
      throw Rejected.notFound(f + ".accountId", f + ".accountId: account " + in.accountId() + " not found");
    }
    Customers.insert(c, new Customer(in.customerId(), in.accountId(), in.nickname() == null ? in.customerId() : in.nickname(), null, "active", Map.of()), now, now);
  }

  private static String accountOf(Connection c, String customerId) throws SQLException {
    return Sql.one(c, "SELECT account_id FROM customers WHERE id = ?", rs -> rs.getString(1), customerId).orElseThrow();
  }

  /** One order as read back: when (ISO instant), how much, its status and products. */
  public record Order(String id, String at, BigDecimal amount, String status, List<String> products) {}

  /** A customer's orders, newest first. */
  public List<Order> ordersOf(String customerId) {
    return db.inTransaction(c -> Sql.list(c,
        "SELECT id, ordered_at, amount_cents, status FROM orders WHERE customer_id = ? ORDER BY ordered_at DESC, id LIMIT 500",
        rs -> new Order(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)).toString(), BigDecimal.valueOf(rs.getLong(3), 2), rs.getString(4),
            Sql.list(c, "SELECT product FROM order_products WHERE order_id = ? ORDER BY product", r2 -> r2.getString(1), rs.getString(1))),
        customerId));
  }

  /**
   * Erasure (PIPL): the customer's orders keep their amounts and products for the shop's totals but
   * no longer name the person: they move to {@code pseudonym}. Returns how many.
   */
  public static int erase(java.sql.Connection c, String customerId, String pseudonym) throws java.sql.SQLException {
    return Sql.update(c, "UPDATE orders SET customer_id = ? WHERE customer_id = ?", pseudonym, customerId);
  }
}
