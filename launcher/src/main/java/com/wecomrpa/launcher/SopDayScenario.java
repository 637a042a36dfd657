package com.wecomrpa.launcher;

import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.time.SimulatedClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A simulated day of the example plans: group posts at their times, a customer follow-up sequence
 * for customers added through the day (fed as events, as a CRM would), and Moments in the evening.
 * Prints per plan what was due that day and what became of it, then checks the simulator: no group
 * may hold more than the daily cap of posts on that day.
 */
final class SopDayScenario {
  static final ZoneId ZONE = ZoneId.of(DemoStack.ZONE);
  private static final LocalTime[] ADDED_AT = {LocalTime.of(8, 0), LocalTime.of(10, 30), LocalTime.of(13, 0), LocalTime.of(15, 0), LocalTime.of(17, 30), LocalTime.of(19, 0)};
  private static final int DAILY_CAP = 3;

  private record Customer(String id, String accountId, String nickname, Instant addedAt) {}

  private SopDayScenario() {}

  /** The simulated day starts at midnight, in the accounts' zone, of today's date, once plans are in. */
  static SimulatedClock clockFor(double speed) {
    return SimulatedClock.standing(LocalDate.now(ZONE).atStartOfDay(ZONE).toInstant(), speed);
  }

  /** Contacts for the day's new customers, to seed the simulator before anything starts. */
  static List<ChatWorld.Contact> contacts(Fleet fleet) {
    return customers(fleet, LocalDate.now(ZONE)).stream().map(c -> new ChatWorld.Contact(c.id(), c.accountId(), c.nickname())).toList();
  }

  private static List<Customer> customers(Fleet fleet, LocalDate day) {
    List<Customer> out = new ArrayList<>();
    for (int i = 0; i < ADDED_AT.length; i++) {
      String account = fleet.accounts().get(i % fleet.accounts().size());
      out.add(new Customer("cust-" + (i + 1), account, "新客" + (i + 1), day.atTime(ADDED_AT[i]).atZone(ZONE).toInstant()));
    }
    return out;
  }

  static int run(DemoStack stack, SimulatedClock clock, Path examples) {
    LocalDate day = LocalDate.ofInstant(clock.instant(), ZONE);
    Instant dayStart = day.atStartOfDay(ZONE).toInstant();
    Instant dayEnd = day.plusDays(1).atStartOfDay(ZONE).toInstant();
    long t0 = System.nanoTime();

    List<String> planIds = new ArrayList<>();
    for (Path file : planFiles(examples)) {
      JsonObject plan = new JsonObject(read(file));
      if (plan.getJsonArray("accounts") != null) {
        // Moments go out from the demo's own accounts.
        plan.put("accounts", new JsonArray(stack.fleet.accounts()));
      }
      stack.post("/plans", plan);
      planIds.add(plan.getString("id"));
    }
    clock.run();
    System.out.printf("simulating %s at %.0fx: %d plans from %s, %d groups, %d new customers through the day%n",
        day, clock.speed(), planIds.size(), examples, stack.fleet.groups().size(), ADDED_AT.length);

    List<Customer> pending = new ArrayList<>(customers(stack.fleet, day));
    String lastHour = "";
    while (true) {
      Instant now = clock.instant();
      for (Customer c : List.copyOf(pending)) {
        if (!now.isBefore(c.addedAt())) {
          stack.post("/events", new JsonObject().put("events", new JsonArray().add(new JsonObject()
              .put("id", "added-" + c.id()).put("type", "friend_added").put("accountId", c.accountId())
              .put("customerId", c.id()).put("nickname", c.nickname()).put("at", c.addedAt().toString()))));
          pending.remove(c);
        }
      }
      Map<String, Map<String, Integer>> states = new LinkedHashMap<>();
      for (String id : planIds) {
        states.put(id, stateCounts(stack, id, dayStart, dayEnd));
      }
      String hour = now.isBefore(dayEnd) ? now.atZone(ZONE).format(DateTimeFormatter.ofPattern("HH")) : "24";
      if (!hour.equals(lastHour)) {
        lastHour = hour;
        System.out.printf("sim %s:00  sent=%d skipped=%d failed=%d open=%d%n", hour, sum(states, "SUCCEEDED"),
            sum(states, "SKIPPED") + sum(states, "CANCELLED"), sum(states, "FAILED") + sum(states, "UNKNOWN"),
            sum(states, "QUEUED") + sum(states, "LEASED") + sum(states, "RUNNING"));
      }
      boolean dayOver = !now.isBefore(dayEnd);
      boolean settled = sum(states, "QUEUED") + sum(states, "LEASED") + sum(states, "RUNNING") == 0;
      if (dayOver && settled) {
        break;
      }
      BroadcastScenario.sleep(250);
    }
    long wall = Math.round((System.nanoTime() - t0) / 1e9);

    int sent = 0;
    int skipped = 0;
    int failed = 0;
    for (String id : planIds) {
      JsonObject report = stack.get("/plans/" + id + "?from=" + dayStart + "&to=" + dayEnd).getJsonObject("report");
      Map<String, Integer> s = counts(report.getJsonObject("states"));
      int due = s.values().stream().mapToInt(Integer::intValue).sum();
      int planSent = s.getOrDefault("SUCCEEDED", 0);
      int planSkipped = s.getOrDefault("SKIPPED", 0) + s.getOrDefault("CANCELLED", 0);
      int planFailed = s.getOrDefault("FAILED", 0) + s.getOrDefault("UNKNOWN", 0);
      String reasons = report.getJsonObject("reasons").stream().map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining("; "));
      System.out.printf("plan %-24s due=%d sent=%d skipped=%d%s failed=%d%n", id, due, planSent, planSkipped,
          reasons.isEmpty() ? "" : " (" + reasons + ")", planFailed);
      sent += planSent;
      skipped += planSkipped;
      failed += planFailed;
    }
    System.out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", sent, skipped, failed, wall);

    // The simulator's own record, by the day each post arrived in the accounts' zone.
    java.util.Set<String> groups = stack.sim.world().messageCounts().keySet();
    Map<String, Long> perGroupDay =
        stack.sim.world().allMessages().stream()
            .filter(m -> groups.contains(m.conversationId()))
            .collect(Collectors.groupingBy(m -> m.conversationId() + " on " + LocalDate.ofInstant(m.receivedAt(), ZONE), Collectors.counting()));
    List<String> over = perGroupDay.entrySet().stream().filter(e -> e.getValue() > DAILY_CAP).map(e -> e.getKey() + "=" + e.getValue()).toList();
    long maxPosts = perGroupDay.values().stream().mapToLong(Long::longValue).max().orElse(0);
    if (!over.isEmpty()) {
      System.out.printf("simulator check FAILED: %d group-days over %d posts: %s%n", over.size(), DAILY_CAP, over.subList(0, Math.min(10, over.size())));
      return 1;
    }
    System.out.printf("simulator check: no group over %d posts per day (most: %d); %d private messages, %d Moments posts%n",
        DAILY_CAP, maxPosts,
        stack.sim.world().allMessages().stream().filter(m -> m.conversationId().startsWith("cust-")).count(),
        stack.sim.world().momentsOf(null).size());
    return failed == 0 ? 0 : 1;
  }

  private static Map<String, Integer> stateCounts(DemoStack stack, String planId, Instant from, Instant to) {
    return counts(stack.get("/plans/" + planId + "?from=" + from + "&to=" + to).getJsonObject("report").getJsonObject("states"));
  }

  private static Map<String, Integer> counts(JsonObject o) {
    Map<String, Integer> m = new LinkedHashMap<>();
    o.forEach(e -> m.put(e.getKey(), ((Number) e.getValue()).intValue()));
    return m;
  }

  private static int sum(Map<String, Map<String, Integer>> states, String state) {
    return states.values().stream().mapToInt(s -> s.getOrDefault(state, 0)).sum();
  }

  private static List<Path> planFiles(Path examples) {
    try (Stream<Path> files = Files.list(examples)) {
      List<Path> out = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no plan files (*.json) in " + examples);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read example plans in " + examples, e);
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
