package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Customers moved by what they buy: 2,000 customers' orders over 90 days, fed day by day as the
 * order system would, on a clock the test turns one day at a time (each day's sweep runs, as a
 * 1440x clock would run it, without the idle minutes). The shipped example rules
 * (docs/examples/lifecycle/stage-rules.json) decide; the test computes every move on its own and
 * the controller must agree move for move, day for day.
 */
class LifecycleTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final LocalDate DAY0 = LocalDate.of(2026, 8, 1);
  static final int DAYS = 90;
  static final int CUSTOMERS = 2000;
  static final List<String> STAGES = List.of("new", "first_purchase", "repeat", "super_user", "member", "member_silver", "member_gold", "churned");

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(DAY0.atStartOfDay(SHANGHAI).toInstant());
  RunningController controller;

  @AfterEach
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }

  record Order(String id, String customer, String account, int day, long cents, boolean membership, int refundDay) {}

  /** The test's own reading of the example rules: first match wins. */
  static String decide(List<Order> paid, int today) {
    int count = paid.size();
    if (count == 0) {
      return "new";
    }
    int last = paid.stream().mapToInt(Order::day).max().orElseThrow();
    long last30 = paid.stream().filter(o -> today - o.day() < 30).count();
    boolean member = paid.stream().anyMatch(Order::membership);
    if (today - last >= 60) {
      return "churned";
    }
    if (member && last30 >= 4) {
      return "member_gold";
    }
    if (member && last30 >= 2) {
      return "member_silver";
    }
    if (member) {
      return "member";
    }
    return count >= 6 ? "super_user" : count >= 2 ? "repeat" : "first_purchase";
  }

  static List<Order> orders(long seed) {
    Random r = new Random(seed);
    List<Order> out = new ArrayList<>();
    for (int i = 1; i <= CUSTOMERS; i++) {
      String customer = String.format("cu-%04d", i);
      String account = "acc-" + (1 + i % 2);
      int first = r.nextInt(76);
      double kind = r.nextDouble();
      int stop = kind < 0.3 ? first : kind < 0.7 ? first + 10 + r.nextInt(70) : DAYS;
      int gapMin = kind < 0.85 ? 5 : 2;
      int gapMax = kind < 0.7 ? 20 : 9;
      boolean member = kind >= 0.85;
      int n = 0;
      for (int day = first; day < DAYS && day <= stop; day += gapMin + r.nextInt(gapMax - gapMin + 1)) {
        n++;
        int refund = r.nextDouble() < 0.04 ? day + 1 + r.nextInt(5) : -1;
        out.add(new Order(customer + "-o" + n, customer, account, day, 2000 + r.nextInt(48000), member && n == 1, refund < DAYS ? refund : -1));
      }
    }
    return out;
  }

  @Test
  void ninetyDaysOfOrdersMoveEveryCustomerOnTheDayTheRulesSay() throws Exception {
    controller = RunningController.start(dir, clock, o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/accounts", Fixtures.anAccount("acc-2"));
    for (String stage : STAGES) {
      RunningController.Reply created = controller.post("/plans", "{\"id\":\"enter-" + stage.replace('_', '-') + "\",\"name\":\"entered " + stage + "\",\"kind\":\"customer\","
          + "\"trigger\":{\"event\":\"stage_entered\",\"stage\":\"" + stage + "\"},"
          + "\"steps\":[{\"offset\":\"+1h\",\"content\":{\"kind\":\"text\",\"text\":\"{nickname}: welcome to " + stage + "\"}}]}");
      assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
    }
    String rules = Files.readString(Path.of("..", "docs", "examples", "lifecycle", "stage-rules.json"));
    assertThat(controller.put("/stage-rules", rules).status()).isEqualTo(200);

    List<Order> all = orders(15);
    Map<String, List<Order>> paid = new HashMap<>();
    Map<String, String> stage = new HashMap<>();
    Map<String, Set<String>> entered = new HashMap<>();
    List<String> expected = new ArrayList<>();
    for (int day = 0; day < DAYS; day++) {
      // The day turns: the sweep moves whoever time alone moves.
      clock.set(at(day, LocalTime.of(0, 30)));
      controller.sweepStages();
      for (String c : new java.util.TreeSet<>(stage.keySet())) {
        move(c, decide(paid.get(c), day), day, "daily", stage, entered, expected);
      }
      // The day's orders, then the day's refunds, as two batches from the order system.
      clock.set(at(day, LocalTime.of(12, 0)));
      final int today = day;
      List<Order> placed = all.stream().filter(o -> o.day() == today).toList();
      List<Order> refunded = all.stream().filter(o -> o.refundDay() == today).toList();
      if (!placed.isEmpty()) {
        assertThat(controller.post("/orders", batch(placed, false)).status()).isEqualTo(200);
        for (Order o : placed) {
          paid.computeIfAbsent(o.customer(), k -> new ArrayList<>()).add(o);
        }
        for (String c : placed.stream().map(Order::customer).distinct().sorted().toList()) {
          move(c, decide(paid.get(c), day), day, "order", stage, entered, expected);
        }
      }
      if (!refunded.isEmpty()) {
        assertThat(controller.post("/orders", batch(refunded, true)).status()).isEqualTo(200);
        for (Order o : refunded) {
          paid.get(o.customer()).remove(o);
        }
        for (String c : refunded.stream().map(Order::customer).distinct().sorted().toList()) {
          move(c, decide(paid.get(c), day), day, "refund", stage, entered, expected);
        }
      }
    }

    List<String> actual = new ArrayList<>();
    long after = 0;
    while (true) {
      JsonNode page = controller.get("/stage-transitions?after=" + after + "&limit=10000").body();
      if (page.isEmpty()) {
        break;
      }
      for (JsonNode t : page) {
        after = t.get("id").asLong();
        String cause = t.get("cause").asText().startsWith("rules-") ? "rules" : t.get("cause").asText();
        actual.add(t.get("customerId").asText() + " day " + LocalDate.ofInstant(Instant.parse(t.get("at").asText()), SHANGHAI).toEpochDay() % 1000
            + " " + (t.get("from").isNull() ? "-" : t.get("from").asText()) + " -> " + t.get("to").asText() + " (" + cause + ")");
      }
    }
    List<String> expectedAsRead = expected.stream().map(e -> e.replaceFirst(" day (\\d+) ", " day " + "$1" + " ")).toList();
    assertThat(actual).as("every stage move, in order, with its day and cause").hasSize(expected.size());
    assertThat(sortedByCustomer(actual)).isEqualTo(sortedByCustomer(expectedAsRead));
    long churnedByTime = expected.stream().filter(e -> e.endsWith("-> churned (daily)")).count();
    assertThat(churnedByTime).as("customers churned by the daily sweep, without any event").isGreaterThan(100);
    assertThat(expected.stream().filter(e -> e.contains("-> churned") && !e.endsWith("(daily)"))).as("churn comes from time alone").isEmpty();
    assertThat(expected.stream().map(e -> e.substring(e.indexOf("-> ") + 3, e.indexOf(" ("))).distinct()).as("every stage of the example is reached")
        .containsExactlyInAnyOrderElementsOf(STAGES);

    // Each stage's plan started once per customer who ever entered that stage, however often they re-entered it.
    controller.awaitExpansions(2);
    for (String s : STAGES) {
      JsonNode jobs = controller.get("/jobs?planId=enter-" + s.replace('_', '-') + "&limit=10000").body();
      Map<String, Integer> perCustomer = new TreeMap<>();
      jobs.forEach(j -> perCustomer.merge(j.get("customerId").asText(), 1, Integer::sum));
      assertThat(perCustomer.keySet()).as("customers whose enter-" + s + " plan started").isEqualTo(new java.util.TreeSet<>(entered.getOrDefault(s, Set.of())));
      assertThat(perCustomer.values()).as("enter-" + s + " started once per customer").allMatch(n -> n == 1);
    }
    JsonNode census = controller.get("/stages").body().get("customers");
    Map<String, Long> model = new TreeMap<>();
    stage.values().forEach(v -> model.merge(v, 1L, Long::sum));
    Map<String, Long> seen = new TreeMap<>();
    census.fields().forEachRemaining(e -> seen.put(e.getKey(), e.getValue().asLong()));
    assertThat(seen).as("customers per stage at the end").isEqualTo(model);
  }

  private static List<String> sortedByCustomer(List<String> lines) {
    // Moves of one customer keep their order; customers interleave differently within a batch.
    Map<String, List<String>> by = new TreeMap<>();
    for (String l : lines) {
      by.computeIfAbsent(l.substring(0, l.indexOf(' ')), k -> new ArrayList<>()).add(l);
    }
    List<String> out = new ArrayList<>();
    by.values().forEach(out::addAll);
    return out;
  }

  private static void move(String customer, String to, int day, String cause, Map<String, String> stage, Map<String, Set<String>> entered, List<String> out) {
    String from = stage.get(customer);
    if (to.equals(from)) {
      return;
    }
    stage.put(customer, to);
    entered.computeIfAbsent(to, k -> new HashSet<>()).add(customer);
    out.add(customer + " day " + DAY0.plusDays(day).toEpochDay() % 1000 + " " + (from == null ? "-" : from) + " -> " + to + " (" + cause + ")");
  }

  private static Instant at(int day, LocalTime time) {
    return DAY0.plusDays(day).atTime(time).atZone(SHANGHAI).toInstant();
  }

  private static String batch(List<Order> orders, boolean refunds) {
    StringBuilder b = new StringBuilder("{\"orders\":[");
    for (int i = 0; i < orders.size(); i++) {
      Order o = orders.get(i);
      b.append(i == 0 ? "" : ",").append("{\"id\":\"").append(o.id()).append("\",\"customerId\":\"").append(o.customer())
          .append("\",\"accountId\":\"").append(o.account()).append("\",\"status\":\"").append(refunds ? "refunded" : "paid").append("\"");
      if (!refunds) {
        b.append(",\"at\":\"").append(at(o.day(), LocalTime.of(10, 0))).append("\",\"amount\":").append(o.cents() / 100).append('.')
            .append(String.format("%02d", o.cents() % 100)).append(",\"products\":[\"").append(o.membership() ? "membership\",\"coffee" : "coffee").append("\"]");
      }
      b.append('}');
    }
    return b.append("]}").toString();
  }
}
