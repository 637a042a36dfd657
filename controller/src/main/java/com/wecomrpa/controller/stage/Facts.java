package com.wecomrpa.controller.stage;

import com.wecomrpa.controller.store.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the stage rules can see of one customer on one calendar day of their account's zone. Days
 * are whole calendar days: an order yesterday is 1 day ago, whatever the hour. Only paid orders
 * count; a refunded one is as if it never happened.
 */
public record Facts(
    LocalDate today,
    int orderCount,
    long spentCents,
    LocalDate firstOrder,
    LocalDate lastOrder,
    int ordersLast30,
    int ordersLast90,
    LocalDate added,
    LocalDate lastMessage,
    Set<String> products,
    Set<String> tags) {

  BigDecimal number(String fact) {
    return switch (fact) {
      case "order_count" -> BigDecimal.valueOf(orderCount);
      case "total_spent" -> BigDecimal.valueOf(spentCents, 2);
      case "days_since_last_order" -> days(lastOrder);
      case "days_since_first_order" -> days(firstOrder);
      case "orders_last_30_days" -> BigDecimal.valueOf(ordersLast30);
      case "orders_last_90_days" -> BigDecimal.valueOf(ordersLast90);
      case "days_since_added" -> days(added);
      case "days_since_last_message" -> days(lastMessage);
      default -> null;
    };
  }

  private BigDecimal days(LocalDate d) {
    return d == null ? null : BigDecimal.valueOf(ChronoUnit.DAYS.between(d, today));
  }

  /** A customer as the rules see them, with the stage they are in now. */
  public record Subject(String id, String accountId, String nickname, String stage, String status, Facts facts) {}

  /**
   * Loads the active customers matching {@code where} (a condition on {@code cu}, the customers
   * table) with their facts on {@code now}'s day in each account's zone: a handful of queries for
   * however many customers.
   */
  static List<Subject> load(Connection c, String where, Instant now, Object... args) throws SQLException {
    Map<String, ZoneId> zones = new HashMap<>();
    for (String[] a : Sql.list(c, "SELECT id, time_zone FROM accounts", rs -> new String[] {rs.getString(1), rs.getString(2)})) {
      zones.put(a[0], ZoneId.of(a[1]));
    }
    record Row(String id, String account, String nickname, String stage, String status, Long addedAt, long createdAt) {}
    List<Row> rows = Sql.list(c,
        "SELECT cu.id, cu.account_id, cu.nickname, cu.stage, cu.status, cu.added_at, cu.created_at FROM customers cu WHERE cu.status = 'active' AND " + where + " ORDER BY cu.id",
        rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), (Long) rs.getObject(6), rs.getLong(7)), args);
    Map<String, List<long[]>> orders = new HashMap<>();
    for (Object[] o : Sql.list(c,
        "SELECT o.customer_id, o.ordered_at, o.amount_cents FROM orders o JOIN customers cu ON cu.id = o.customer_id WHERE o.status = 'paid' AND cu.status = 'active' AND " + where,
        rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)}, args)) {
      orders.computeIfAbsent((String) o[0], k -> new ArrayList<>()).add(new long[] {(Long) o[1], (Long) o[2]});
    }
    Map<String, Set<String>> products = new HashMap<>();
    for (String[] p : Sql.list(c,
        "SELECT o.customer_id, p.product FROM order_products p JOIN orders o ON o.id = p.order_id JOIN customers cu ON cu.id = o.customer_id WHERE o.status = 'paid' AND cu.status = 'active' AND " + where,
        rs -> new String[] {rs.getString(1), rs.getString(2)}, args)) {
      products.computeIfAbsent(p[0], k -> new HashSet<>()).add(p[1]);
    }
    Map<String, Set<String>> tags = new HashMap<>();
    for (String[] t : Sql.list(c, "SELECT ct.customer_id, ct.tag FROM customer_tags ct JOIN customers cu ON cu.id = ct.customer_id WHERE cu.status = 'active' AND " + where,
        rs -> new String[] {rs.getString(1), rs.getString(2)}, args)) {
      tags.computeIfAbsent(t[0], k -> new HashSet<>()).add(t[1]);
    }
    Map<String, Long> lastMessage = new HashMap<>();
    for (Object[] m : Sql.list(c,
        "SELECT m.customer_id, MAX(m.said_at) FROM messages m JOIN customers cu ON cu.id = m.customer_id WHERE m.mine = FALSE AND cu.status = 'active' AND " + where + " GROUP BY m.customer_id",
        rs -> new Object[] {rs.getString(1), rs.getLong(2)}, args)) {
      lastMessage.put((String) m[0], (Long) m[1]);
    }
    List<Subject> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      ZoneId zone = zones.getOrDefault(r.account(), ZoneId.of("UTC"));
      LocalDate today = LocalDate.ofInstant(now, zone);
      int count = 0;
      long spent = 0;
      LocalDate first = null;
      LocalDate last = null;
      int last30 = 0;
      int last90 = 0;
      for (long[] o : orders.getOrDefault(r.id(), List.of())) {
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(o[0]), zone);
        if (day.isAfter(today)) {
          continue; // an order dated ahead of the clock is not a fact yet
        }
        count++;
        spent += o[1];
        first = first == null || day.isBefore(first) ? day : first;
        last = last == null || day.isAfter(last) ? day : last;
        long ago = ChronoUnit.DAYS.between(day, today);
        last30 += ago < 30 ? 1 : 0;
        last90 += ago < 90 ? 1 : 0;
      }
      Long msg = lastMessage.get(r.id());
      Facts f = new Facts(today, count, spent, first, last, last30, last90,
          LocalDate.ofInstant(Instant.ofEpochMilli(r.addedAt() != null ? r.addedAt() : r.createdAt()), zone),
          msg == null ? null : LocalDate.ofInstant(Instant.ofEpochMilli(msg), zone),
          products.getOrDefault(r.id(), Set.of()), tags.getOrDefault(r.id(), Set.of()));
      out.add(new Subject(r.id(), r.account(), r.nickname(), r.stage(), r.status(), f));
    }
    return out;
  }
}
