package com.wecomrpa.launcher;

import com.wecomrpa.controller.orders.OrderCsv;
import com.wecomrpa.controller.orders.OrderIntake;
import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.Simulator;
import com.wecomrpa.time.SimulatedClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Ninety simulated days of docs/examples/lifecycle: customers arrive through the two stores'
 * channel codes (a welcome SMS and a call through the systems around), buy as orders.csv says (fed
 * to the API as the order system would, day by day), and the example stage rules move them; each
 * stage's plan messages them on real Chromium. The clock runs at the given speed and skips the
 * hours in which nothing is due. Prints customers per stage every 30 days, plans started by stage,
 * channel codes, webhook calls and the usual summary, then checks the simulator's record.
 */
final class LifecycleScenario {
  static final ZoneId ZONE = ZoneId.of(DemoStack.ZONE);
  static final LocalDate DAY0 = LocalDate.of(2026, 9, 1);
  static final int DAYS = 90;
  static final Map<String, String> CODES = Map.of("acc-1", "store-1-wang", "acc-2", "store-2-li");

  private record Arrival(String customer, String account, String nickname, Instant at) {}

  private record Line(OrderIntake.OrderIn order, Instant at) {}

  private LifecycleScenario() {}

  static SimulatedClock clockFor(double speed) {
    return SimulatedClock.standing(DAY0.atStartOfDay(ZONE).toInstant(), speed);
  }

  static List<ChatWorld.Contact> contacts(Path dir) {
    return arrivals(lines(dir)).stream().map(a -> new ChatWorld.Contact(a.customer(), a.account(), a.nickname())).toList();
  }

  static int run(DemoStack stack, SimulatedClock clock, Path dir) {
    if (!stack.fleet.accounts().containsAll(CODES.keySet())) {
      System.err.println("the lifecycle scenario needs acc-1 and acc-2: --accounts 2 or more");
      return 2;
    }
    long t0 = System.nanoTime();
    List<Line> lines = lines(dir);
    List<Arrival> arrivals = arrivals(lines);
    List<String> plans = new ArrayList<>();
    for (Path file : files(dir.resolve("plans"))) {
      JsonObject plan = new JsonObject(read(file).replace("http://127.0.0.1:8090", stack.sim.baseUrl()));
      stack.post("/plans", plan);
      plans.add(plan.getString("id"));
    }
    for (Object code : new JsonArray(read(dir.resolve("channel-codes.json")))) {
      JsonObject c = (JsonObject) code;
      stack.put("/channel-codes/" + c.getString("code"), c);
    }
    JsonObject saved = stack.put("/stage-rules", new JsonObject(read(dir.resolve("stage-rules.json"))));
    clock.run();
    Instant end = DAY0.plusDays(DAYS).atStartOfDay(ZONE).toInstant();
    System.out.printf("simulating %d days from %s at %.0fx (hours with nothing due are skipped): %d customers through %d channel codes, "
        + "%d order lines from %s fed as the order system sends them, stage rules v%d, %d plans%n",
        DAYS, DAY0, clock.speed(), arrivals.size(), CODES.size(), lines.size(), dir.resolve("orders.csv"), saved.getInteger("version"), plans.size());

    int nextArrival = 0;
    int nextLine = 0;
    int reported = 0;
    while (true) {
      Instant now = clock.instant();
      JsonArray events = new JsonArray();
      while (nextArrival < arrivals.size() && !arrivals.get(nextArrival).at().isAfter(now)) {
        Arrival a = arrivals.get(nextArrival++);
        events.add(new JsonObject().put("id", "added-" + a.customer()).put("type", "customer_added").put("customerId", a.customer())
            .put("nickname", a.nickname()).put("channelCode", CODES.get(a.account())).put("at", a.at().toString()));
      }
      if (!events.isEmpty()) {
        stack.post("/events", new JsonObject().put("events", events));
      }
      JsonArray orders = new JsonArray();
      while (nextLine < lines.size() && !lines.get(nextLine).at().isAfter(now)) {
        orders.add(JsonObject.mapFrom(lines.get(nextLine++).order()));
      }
      if (!orders.isEmpty()) {
        stack.post("/orders", new JsonObject().put("orders", orders));
      }
      JsonObject stages = stack.get("/stages");
      LocalDate today = LocalDate.ofInstant(now, ZONE);
      boolean swept = CODES.keySet().stream().allMatch(a -> today.toString().equals(stages.getJsonObject("sweptDays").getString(a)) || !now.isBefore(end));
      int day = (int) (today.toEpochDay() - DAY0.toEpochDay());
      if (swept && day >= (reported + 1) * 30) {
        reported++;
        System.out.printf("day %d (%s): %s%n", reported * 30, today, census(stages.getJsonObject("customers")));
      }
      Open open = open(stack, now);
      if (!now.isBefore(end) && open.busy() == 0 && reported * 30 >= DAYS) {
        break;
      }
      Instant next = now.isBefore(end) ? LocalDate.ofInstant(now, ZONE).plusDays(1).atStartOfDay(ZONE).toInstant() : now.plus(Duration.ofDays(1));
      if (nextArrival < arrivals.size() && arrivals.get(nextArrival).at().isBefore(next)) {
        next = arrivals.get(nextArrival).at();
      }
      if (nextLine < lines.size() && lines.get(nextLine).at().isBefore(next)) {
        next = lines.get(nextLine).at();
      }
      if (open.nextDue() != null && open.nextDue().isBefore(next)) {
        next = open.nextDue();
      }
      if (open.busy() == 0 && swept && next.isAfter(now.plus(Duration.ofMinutes(2)))) {
        clock.skipTo(next.isAfter(end) && now.isBefore(end) ? end : next);
      } else {
        BroadcastScenario.sleep(100);
      }
    }
    long wall = Math.round((System.nanoTime() - t0) / 1e9);

    System.out.println("plans started by stage (each customer once):");
    int sent = 0;
    int skipped = 0;
    int failed = 0;
    int waiting = 0;
    for (String id : plans) {
      JsonArray jobs = stack.getArray("/jobs?planId=" + id + "&limit=10000");
      Map<String, Integer> states = new TreeMap<>();
      jobs.forEach(j -> states.merge(((JsonObject) j).getString("state"), 1, Integer::sum));
      long customers = jobs.stream().map(j -> ((JsonObject) j).getString("customerId")).distinct().count();
      System.out.printf("  %-22s started=%d %s%n", id, customers, states);
      sent += states.getOrDefault("SUCCEEDED", 0);
      skipped += states.getOrDefault("SKIPPED", 0) + states.getOrDefault("CANCELLED", 0);
      failed += states.getOrDefault("FAILED", 0) + states.getOrDefault("UNKNOWN", 0);
      waiting += states.getOrDefault("QUEUED", 0);
    }
    JsonObject report = stack.get("/channel-codes/report?from=" + DAY0.atStartOfDay(ZONE).toInstant() + "&to=" + end);
    for (Object o : report.getJsonArray("byCode")) {
      JsonObject r = (JsonObject) o;
      System.out.printf("channel code %s (%s): added=%d still there=%d orders=%d revenue=%s%n", r.getString("key"), r.getString("accountId"),
          r.getLong("added"), r.getLong("stillThere"), r.getLong("orders"), r.getValue("revenue"));
    }
    List<Simulator.HookCall> calls = stack.sim.hookCalls();
    Map<String, Long> byName = calls.stream().collect(Collectors.groupingBy(Simulator.HookCall::name, TreeMap::new, Collectors.counting()));
    long keys = calls.stream().map(Simulator.HookCall::idempotencyKey).distinct().count();
    System.out.printf("webhooks received by the systems around: %s, %d idempotency keys%n", byName, keys);
    System.out.printf("sent=%d skipped=%d failed=%d wall=%ds%s%n", sent, skipped, failed, wall, waiting > 0 ? " (" + waiting + " due after day " + DAYS + ")" : "");

    // The simulator's record: no customer got one plan's message twice.
    Map<String, Long> perCustomerText = stack.sim.world().allMessages().stream().filter(m -> m.conversationId().startsWith("cu-"))
        .collect(Collectors.groupingBy(m -> m.conversationId() + " " + m.text(), Collectors.counting()));
    List<String> twice = perCustomerText.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    if (!twice.isEmpty() || keys != calls.size()) {
      System.out.printf("simulator check FAILED: %d messages received twice %s; %d webhook calls for %d keys%n", twice.size(),
          twice.subList(0, Math.min(5, twice.size())), calls.size(), keys);
      return 1;
    }
    System.out.printf("simulator check: %d private messages, none twice; %d webhook calls, each key once; %d risk warnings%n",
        perCustomerText.size(), calls.size(), stack.sim.riskEvents().size());
    return failed == 0 && stack.sim.riskEvents().isEmpty() ? 0 : 1;
  }

  private record Open(int busy, Instant nextDue) {}

  /** Jobs a device holds or could take now, and when the earliest waiting one becomes due. */
  private static Open open(DemoStack stack, Instant now) {
    int busy = stack.getArray("/jobs?state=LEASED&limit=10000").size() + stack.getArray("/jobs?state=RUNNING&limit=10000").size();
    JsonArray queued = stack.getArray("/jobs?state=QUEUED&limit=10000");
    // An account-wide wait (active hours, pace, status) is noted on the one job it stopped; it holds them all.
    Map<String, Instant> accountWait = new java.util.HashMap<>();
    for (Object o : queued) {
      JsonObject j = (JsonObject) o;
      if (j.getString("waitUntil") != null && ACCOUNT_RULES.contains(j.getString("decidedBy"))) {
        accountWait.merge(j.getString("accountId"), Instant.parse(j.getString("waitUntil")), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    Instant nextDue = null;
    for (Object o : queued) {
      JsonObject j = (JsonObject) o;
      Instant due = latest(latest(j.getString("notBefore"), j.getString("waitUntil")), accountWait.get(j.getString("accountId")));
      if (due == null || !due.isAfter(now)) {
        busy++;
      } else if (nextDue == null || due.isBefore(nextDue)) {
        nextDue = due;
      }
    }
    return new Open(busy, nextDue);
  }

  private static final java.util.Set<String> ACCOUNT_RULES = java.util.Set.of("active-hours", "pace", "account-status");

  private static Instant latest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }

  private static Instant latest(String a, String b) {
    return latest(a == null ? null : Instant.parse(a), b == null ? null : Instant.parse(b));
  }

  private static String census(JsonObject counts) {
    Map<String, Object> ordered = new LinkedHashMap<>();
    for (String s : List.of("new", "first_purchase", "repeat", "super_user", "member", "member_silver", "member_gold", "churned")) {
      ordered.put(s, counts.getValue(s, 0));
    }
    counts.forEach(e -> ordered.putIfAbsent(e.getKey(), e.getValue()));
    return ordered.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
  }

  /** The order lines in file order; a refund line counts from its own time. */
  private static List<Line> lines(Path dir) {
    Path file = dir.resolve("orders.csv");
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      OrderCsv csv = new OrderCsv(in.readLine());
      List<Line> out = new ArrayList<>();
      int n = 1;
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        n++;
        OrderCsv.Line l = csv.parse(n, text);
        if (l.error() != null) {
          throw new IllegalArgumentException(file + ": " + l.error());
        }
        out.add(new Line(l.order(), Instant.parse(l.order().at())));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each customer arrives through their store's code an hour before their first order. */
  private static List<Arrival> arrivals(List<Line> lines) {
    Map<String, Arrival> first = new LinkedHashMap<>();
    for (Line l : lines) {
      first.putIfAbsent(l.order().customerId(), new Arrival(l.order().customerId(), l.order().accountId(), l.order().nickname(), l.at().minus(Duration.ofHours(1))));
    }
    List<Arrival> out = new ArrayList<>(first.values());
    out.sort(java.util.Comparator.comparing(Arrival::at));
    return out;
  }

  private static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
