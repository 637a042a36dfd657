package com.wecomrpa.launcher;

import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.Rosters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Groups as operators run them, over a simulated two hours: each account has two stores with a
 * pool of two groups each; customers near a store ask for its group code and get an invitation,
 * accept it (the simulator taps the card for them), are heard joining and welcomed in batches;
 * the first group of store A is nearly full on two accounts, so their pools roll over; a customer
 * posts a link ad and is removed and blacklisted, then removed again when he re-joins; friend
 * requests are accepted and start the welcome plan; a broadcast still reaches every group once.
 * The simulator's record judges every count.
 */
final class GroupsScenario {
  static final int CUSTOMERS_NEAR_A = 5;
  static final int CUSTOMERS_NEAR_B = 3;
  static final int FRIEND_REQUESTS = 2;
  /** Members the nearly full groups start with (staff included): 3 invitations fit under 200 less a margin of 2. */
  static final int NEARLY_FULL = 195;
  static final String SPAMMER = "广告哥";

  private record Customer(String id, String accountId, String name, double lat, double lng) {}

  private GroupsScenario() {}

  /** Four groups per account: store A's pool (the first two) and store B's. */
  static int groupsPerAccount() {
    return 4;
  }

  static int run(DemoStack stack, double speed) {
    long t0 = System.nanoTime();
    Map<String, List<String>> groupsOf = new LinkedHashMap<>();
    stack.fleet.groups().forEach(g -> groupsOf.computeIfAbsent(g.accountId(), a -> new ArrayList<>()).add(g.id()));
    if (groupsOf.size() != stack.fleet.accounts().size() || groupsOf.values().stream().anyMatch(g -> g.size() != groupsPerAccount())) {
      throw new IllegalArgumentException("--scenario groups needs " + groupsPerAccount() + " groups per account (--groups " + groupsPerAccount() * stack.fleet.accounts().size() + ")");
    }
    List<Customer> customers = seed(stack, groupsOf);
    System.out.printf("groups: %d accounts, 2 stores each (a pool of 2 groups per store); %d customers ask for their store's group; %d friend requests each%n",
        groupsOf.size(), customers.size(), FRIEND_REQUESTS);
    Processes.await(stack.api.broadcastToTag("demo-broadcast", BroadcastScenario.TEXT, "demo"), Duration.ofSeconds(60));
    Wait wait = new Wait(Duration.ofMinutes(10));

    wait.until("the devices to read the pools' member counts off the group titles", () -> stack.get("/group-codes/stores/report").getJsonArray("byGroup").stream()
        .allMatch(o -> ((JsonObject) o).getInteger("members") != null));
    // Customers ask one a simulated minute apart, as they walk past the stores.
    long gap = Math.max(50, Math.round(60_000 / speed));
    for (Customer c : customers) {
      stack.post("/group-codes/stores/resolve", new JsonObject().put("customerId", c.id()));
      BroadcastScenario.sleep(gap);
    }
    for (String a : groupsOf.keySet()) {
      IntStream.rangeClosed(1, FRIEND_REQUESTS).forEach(i -> stack.sim.rosters().requestFriend(a, "nf-" + a + "-" + i, "新朋友" + a.substring(4) + "-" + i, "想了解会员活动", null));
    }
    String spamGroup = groupsOf.get(stack.fleet.accounts().get(0)).get(2);
    wait.until("every invitation answered", () -> stack.sim.rosters().invitations().size() == customers.size()
        && stack.sim.rosters().invitations().stream().allMatch(i -> i.outcome() != null));
    stack.sim.world().customerWrites(spamGroup, "spam-1", SPAMMER, "text", "高价回收会员卡，加我 https://ads.example.com/card", Map.of());
    wait.until(SPAMMER + " removed", () -> removals(stack) == 1);
    stack.sim.rosters().join(spamGroup, "spam-1", SPAMMER, "qr");
    wait.until(SPAMMER + " removed again on re-joining", () -> removals(stack) == 2);
    int friends = groupsOf.size() * FRIEND_REQUESTS;
    wait.until("friends added and greeted", () -> greeted(stack) == friends);
    wait.until("every join welcomed and the queue empty", () -> unwelcomed(stack).isEmpty() && open(stack) == 0);

    return verdict(stack, customers, friends, Math.round((System.nanoTime() - t0) / 1e9));
  }

  private static int verdict(DemoStack stack, List<Customer> customers, int friends, long wall) {
    Rosters rosters = stack.sim.rosters();
    JsonObject report = stack.get("/group-codes/stores/report");
    long joinedSim = rosters.invitations().stream().filter(i -> "joined".equals(i.outcome())).count();
    long welcomes = stack.sim.world().allMessages().stream().filter(m -> m.text().startsWith("欢迎 ") && !m.conversationId().startsWith("nf-")).count();
    long welcomedNames = rosters.changes().stream().filter(c -> c.event().equals("joined")).map(c -> c.groupId() + "|" + c.name()).distinct()
        .filter(k -> !k.endsWith("|" + SPAMMER)).count();
    // A pool rolled over when its invitations went to more than one of its groups.
    Map<String, java.util.Set<String>> groupsInvitedTo = new LinkedHashMap<>();
    rosters.invitations().forEach(i -> groupsInvitedTo.computeIfAbsent(i.accountId() + "|" + poolOf(stack, i.groupId()), k -> new java.util.HashSet<>())
        .add(i.groupId()));
    long rolledOver = groupsInvitedTo.values().stream().filter(g -> g.size() > 1).count();
    JsonObject today = stack.get("/overview").getJsonObject("today");
    System.out.printf("invited=%d joined=%d (controller %d/%d)  welcomed=%d joiners in %d welcomes  removed=%d (blacklisted, removed again)  rolled over=%d pools  friends added=%d%n",
        rosters.invitations().size(), joinedSim, report.getInteger("invited"), report.getInteger("joined"), welcomedNames, welcomes,
        rosters.removals().size(), rolledOver, greeted(stack));
    System.out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", today.getInteger("sent"), today.getInteger("skipped"),
        today.getInteger("failed") + today.getInteger("unknown"), wall);
    List<String> wrong = new ArrayList<>();
    check(wrong, report.getInteger("invited") == customers.size() && rosters.invitations().size() == customers.size(), "every customer invited once");
    check(wrong, report.getInteger("joined") == joinedSim && joinedSim == customers.size(), "every invitation joined, as the controller counts");
    check(wrong, unwelcomed(stack).isEmpty(), "every joiner welcomed exactly once: " + unwelcomed(stack));
    check(wrong, welcomedCount(stack, SPAMMER) == 0, "the spammer never welcomed");
    check(wrong, rosters.removals().size() == 2 && rosters.removals().stream().allMatch(r -> r.name().equals(SPAMMER)), "only the spammer removed, twice");
    check(wrong, rosters.removals().stream().noneMatch(Rosters.Removal::staff), "no staff removed");
    long nearlyFull = Math.min(2, stack.fleet.accounts().size());
    check(wrong, rolledOver == nearlyFull, nearlyFull + " pools rolled over (the nearly full groups), not " + rolledOver);
    check(wrong, greeted(stack) == friends, "each friend greeted once by the plan");
    for (Fleet.GroupSeed g : stack.fleet.groups()) {
      int members = rosters.membersOf(g.id()).size();
      long posts = stack.sim.world().messagesOf(g.id()).stream().filter(m -> !m.text().startsWith("欢迎 ")).count();
      check(wrong, members <= 200, g.id() + " holds " + members + " members, over its cap");
      check(wrong, posts == 1, g.id() + " got " + posts + " broadcast posts (one expected, at most 3 a day)");
    }
    check(wrong, today.getInteger("failed") + today.getInteger("unknown") == 0, "no job failed");
    if (!wrong.isEmpty()) {
      wrong.forEach(w -> System.out.println("simulator check FAILED: " + w));
      return 1;
    }
    System.out.println("simulator check: every count matches the simulator's record; no group over its member cap or its posts; no staff removed");
    return 0;
  }

  private static void check(List<String> wrong, boolean ok, String what) {
    if (!ok) {
      wrong.add(what);
    }
  }

  /** Joins (group and name) that do not have exactly one welcome naming them in that group (the spammer excepted). */
  static List<String> unwelcomed(DemoStack stack) {
    List<String> out = new ArrayList<>();
    for (Rosters.Change c : stack.sim.rosters().changes()) {
      if (c.event().equals("joined") && !c.name().equals(SPAMMER)) {
        long n = stack.sim.world().messagesOf(c.groupId()).stream().filter(m -> names(m.text()).contains(c.name())).count();
        if (n != 1) {
          out.add(c.groupId() + ":" + c.name() + "=" + n);
        }
      }
    }
    return out;
  }

  private static long welcomedCount(DemoStack stack, String name) {
    return stack.sim.world().allMessages().stream().filter(m -> names(m.text()).contains(name)).count();
  }

  /** The names a welcome ("欢迎 甲、乙 加入门店群 0001…") greets. */
  private static List<String> names(String text) {
    if (!text.startsWith("欢迎 ")) {
      return List.of();
    }
    String rest = text.substring(3);
    int end = rest.indexOf(" 加入");
    return List.of((end < 0 ? rest : rest.substring(0, end)).split("、"));
  }

  private static long greeted(DemoStack stack) {
    return stack.sim.world().allMessages().stream().filter(m -> m.conversationId().startsWith("nf-") && m.text().startsWith("欢迎 ")).count();
  }

  private static long removals(DemoStack stack) {
    return stack.sim.rosters().removals().stream().filter(r -> r.name().equals(SPAMMER)).count();
  }

  private static int open(DemoStack stack) {
    JsonObject q = stack.get("/overview").getJsonObject("queue");
    return q.getInteger("QUEUED") + q.getInteger("LEASED") + q.getInteger("RUNNING");
  }

  private static String poolOf(DemoStack stack, String groupId) {
    int i = stack.fleet.groups().stream().map(Fleet.GroupSeed::id).toList().indexOf(groupId);
    return (i / stack.fleet.accounts().size()) % groupsPerAccount() < 2 ? "门店A" : "门店B";
  }

  /** Members, staff, customers near each store, the rules and the code. */
  private static List<Customer> seed(DemoStack stack, Map<String, List<String>> groupsOf) {
    List<Customer> customers = new ArrayList<>();
    JsonArray events = new JsonArray();
    JsonArray poolA = new JsonArray();
    JsonArray poolB = new JsonArray();
    int a = 0;
    for (Map.Entry<String, List<String>> e : groupsOf.entrySet()) {
      String account = e.getKey();
      List<String> gs = e.getValue();
      for (int k = 0; k < gs.size(); k++) {
        // Store A's first group is nearly full on the first two accounts.
        int size = k == 0 && a < 2 ? NEARLY_FULL : 12;
        String g = gs.get(k);
        List<Rosters.Member> members = new ArrayList<>(List.of(new Rosters.Member("staff-" + g, "店长" + g.substring(2), true, null)));
        IntStream.range(1, size).forEach(i -> members.add(new Rosters.Member(g + "-m" + i, "老顾客" + g.substring(2) + "-" + i, false, null)));
        if (a == 0 && k == 2) {
          members.add(new Rosters.Member("spam-1", SPAMMER, false, null));
        }
        stack.sim.rosters().seed(g, members);
      }
      poolA.add(gs.get(0)).add(gs.get(1));
      poolB.add(gs.get(2)).add(gs.get(3));
      stack.put("/accounts/" + account + "/staff", new JsonObject().put("names", new JsonArray(gs.stream().map(g -> "店长" + g.substring(2)).toList())));
      // Fast profile: a listen every 2 s (real time), so joins are heard and welcomed within seconds.
      stack.put("/accounts/" + account + "/listening", new JsonObject().put("intervalSeconds", 2).put("budgetSeconds", 8));
      int n = a + 1;
      IntStream.rangeClosed(1, CUSTOMERS_NEAR_A + CUSTOMERS_NEAR_B).forEach(i -> {
        boolean nearA = i <= CUSTOMERS_NEAR_A;
        customers.add(new Customer("cu-" + n + "-" + i, account, "顾客" + n + "-" + i, nearA ? 31.231 + i * 0.001 : 31.201 + i * 0.001,
            nearA ? 121.471 : 121.601));
      });
      a++;
    }
    stack.sim.world().addContacts(customers.stream().map(c -> new ChatWorld.Contact(c.id(), c.accountId(), c.name())).toList());
    for (Customer c : customers) {
      events.add(new JsonObject().put("id", "added-" + c.id()).put("type", "customer_added").put("accountId", c.accountId()).put("customerId", c.id())
          .put("nickname", c.name()).put("fields", new JsonObject().put("lat", String.valueOf(c.lat())).put("lng", String.valueOf(c.lng()))));
    }
    stack.post("/events", new JsonObject().put("events", events));
    stack.post("/plans", new JsonObject().put("id", "new-friend").put("name", "Greet a new friend").put("kind", "customer")
        .put("trigger", new JsonObject().put("event", "friend_added"))
        .put("steps", new JsonArray().add(new JsonObject().put("offset", "+1m")
            .put("content", new JsonObject().put("kind", "text").put("text", "欢迎 {nickname}，会员日每周六，回复“进群”领取门店群邀请")))));
    stack.put("/welcome-rules/stores", new JsonObject().put("groupTag", "demo").put("batchSeconds", 120).put("minGapMinutes", 10)
        .put("content", new JsonObject().put("kind", "text").put("text", "欢迎 {nickname} 加入{group_name}！进群福利：三张8折券，回复“券”领取")));
    stack.put("/spam-rules/no-ads", new JsonObject().put("groupTag", "demo").put("keywords", new JsonArray().add("代购").add("回收"))
        .put("links", true).put("miniprograms", true).put("blacklist", true));
    stack.put("/group-codes/stores", new JsonObject().put("name", "门店群活码").put("routeBy", "location").put("memberCap", 200).put("margin", 2)
        .put("pools", new JsonArray()
            .add(new JsonObject().put("key", "门店A").put("groups", poolA).put("lat", 31.23).put("lng", 121.47))
            .add(new JsonObject().put("key", "门店B").put("groups", poolB).put("lat", 31.20).put("lng", 121.60))));
    // The customers' side: each taps an invitation card about a (real) second after it arrives.
    stack.sim.acceptInvitationsAfter(1000);
    return customers;
  }
}
