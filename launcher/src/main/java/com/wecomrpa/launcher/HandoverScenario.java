package com.wecomrpa.launcher;

import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Customers as targets, and an account leaving mid-send: each account has customers, most tagged
 * 新品意向 (a few of them also 老客, who got a follow-up earlier, so their cadence of one marketing
 * message per 7 days is used); a 1:1 launch goes to the tag (previewed first) while a broadcast
 * goes to every group; mid-way the platform restricts acc-1; the operator reads the alert's
 * handover offer, is refused when acc-2 has no room for all of acc-1's groups, then splits them
 * and acc-1's customers between acc-2 and acc-3 (some customers refuse the transfer). The
 * simulator's record judges: every group one post, every launch customer one launch, the cadence
 * skips named, the refused listed and still acc-1's.
 */
final class HandoverScenario {
  static final String TAG = "新品意向";
  static final String OLD = "老客";
  static final int CUSTOMERS = 10;
  static final int TAGGED = 8;
  static final int OLD_CUSTOMERS = 2;
  static final int REFUSAL_PERCENT = 35;
  static final String REVISIT = "上周到店感谢您的光临，有问题随时找我";
  static final String LAUNCH_TITLE = "冬季新品上市";
  static final String GROUP_TEXT = BroadcastScenario.TEXT;

  private HandoverScenario() {}

  static int groupsPerAccount() {
    return 30;
  }

  /** The customers' private chats, {@link #CUSTOMERS} per account, for the simulator's world. */
  static List<ChatWorld.Contact> contacts(Fleet fleet) {
    List<ChatWorld.Contact> out = new ArrayList<>();
    for (String a : fleet.accounts()) {
      for (int i = 1; i <= CUSTOMERS; i++) {
        out.add(new ChatWorld.Contact(customer(a, i), a, "客户" + a.substring(4) + "-" + i));
      }
    }
    return out;
  }

  static String customer(String account, int i) {
    return String.format("cu-%s-%02d", account.substring(4), i);
  }

  static int run(DemoStack stack) {
    long t0 = System.nanoTime();
    List<String> accounts = stack.fleet.accounts();
    if (accounts.size() < 3) {
      throw new IllegalArgumentException("--scenario handover needs at least 3 accounts (one leaves, two take over)");
    }
    String leaving = accounts.get(0);
    SimulatorControl platform = new SimulatorControl(stack.sim.port());
    seed(stack);
    Wait wait = new Wait(Duration.ofMinutes(10));

    // A follow-up to the 老客 first: it spends their cadence for the week.
    stack.post("/broadcasts", new JsonObject().put("id", "revisit").put("content", new JsonObject().put("text", REVISIT))
        .put("target", new JsonObject().put("customers", new JsonObject().put("tagsAll", new JsonArray().add(OLD)))));
    int old = OLD_CUSTOMERS * accounts.size();
    wait.until("the follow-up at the " + old + " 老客 (it uses their one marketing message this week)",
        () -> stack.sim.world().allMessages().stream().filter(m -> m.mine() && m.text().equals(REVISIT)).count() == old);

    JsonObject launch = new JsonObject().put("id", "launch")
        .put("content", new JsonObject().put("kind", "link").put("url", "https://shop.example.com/winter").put("title", LAUNCH_TITLE).put("description", "老客专享九折"))
        .put("target", new JsonObject().put("customers", new JsonObject().put("tagsAll", new JsonArray().add(TAG))));
    JsonObject preview = stack.post("/broadcasts?preview=true", launch);
    System.out.printf("launch preview: %d customers tagged %s %s, %d over their cadence now (1 per 7 days), e.g. %s%n", preview.getInteger("count"), TAG,
        preview.getJsonObject("byAccount").encode(), preview.getInteger("overCadenceNow"), preview.getJsonArray("examples").getJsonObject(0).encode());
    stack.post("/broadcasts", launch);
    Processes.await(stack.api.broadcastToTag("demo-broadcast", GROUP_TEXT, "demo"), Duration.ofSeconds(60));
    List<String> leavingGroups = stack.fleet.groups().stream().filter(g -> g.accountId().equals(leaving)).map(Fleet.GroupSeed::id).toList();
    System.out.printf("launch to %d customers and a broadcast to %d groups under way; %s will be restricted once it has posted to 5 of its %d groups%n",
        preview.getInteger("count"), stack.fleet.groups().size(), leaving, leavingGroups.size());

    wait.until(leaving + " to post to 5 of its groups", () -> postsIn(stack, leavingGroups) >= 5);
    platform.restrict(leaving);
    wait.until("the controller to see " + leaving + "'s restriction at its next send",
        () -> "restricted".equals(stack.get("/accounts/" + leaving).getString("status")));
    long postedBefore = postsIn(stack, leavingGroups);
    stack.getArray("/alerts").stream().map(o -> (JsonObject) o).filter(a -> a.getString("detail").contains("hand its groups")).findFirst()
        .ifPresent(a -> System.out.println("alert: " + a.getString("detail")));
    JsonArray targets = stack.getArray("/accounts/" + leaving + "/handover-targets");
    System.out.println("handover targets: " + targets.encode());

    // acc-2 is a young account: its admin keeps it at 50 groups.
    String first = accounts.get(1);
    String second = accounts.get(2);
    stack.put("/limits/accounts/" + first, new JsonObject().put("values", new JsonObject().put("maxGroups", "50")).put("reason", first + " is a young account"));
    platform.refuseTransfers(REFUSAL_PERCENT);
    var refused = Processes.await(stack.api.postRaw("/accounts/" + leaving + "/handover",
        new JsonObject().put("to", first).put("groups", "all").put("reason", leaving + " restricted by the platform")), Duration.ofSeconds(30));
    System.out.println("operator hands all of " + leaving + "'s groups to " + first + ": " + refused.statusCode() + " " + refused.bodyAsString());
    if (refused.statusCode() != 409 || !"groups".equals(refused.bodyAsJsonObject().getString("field"))) {
      System.out.println("simulator check FAILED: a handover past " + first + "'s cap was not refused naming groups");
      return 1;
    }
    int half = leavingGroups.size() / 2;
    JsonObject toFirst = stack.post("/accounts/" + leaving + "/handover", new JsonObject().put("id", "ho-1").put("to", first)
        .put("groups", new JsonArray(leavingGroups.subList(0, half))).put("customers", new JsonObject().put("tag", TAG)).put("reason", leaving + " restricted by the platform"));
    JsonObject toSecond = stack.post("/accounts/" + leaving + "/handover", new JsonObject().put("id", "ho-2").put("to", second)
        .put("groups", "all").put("customers", "all").put("reason", leaving + " restricted by the platform"));
    for (JsonObject h : List.of(toFirst, toSecond)) {
      System.out.printf("handover %s to %s: %d groups, %d customers moved, %d refused %s, %d queued jobs moved, %d left to finish on %s's device%n",
          h.getString("id"), h.getString("to"), h.getJsonArray("groupsMoved").size(), h.getJsonArray("customersMoved").size(),
          h.getJsonArray("customersRefused").size(), h.getJsonArray("customersRefused").encode(), h.getInteger("jobsMoved"), h.getJsonArray("jobsLeft").size(), leaving);
    }
    Set<String> refusedCustomers = new LinkedHashSet<>();
    for (JsonObject h : List.of(toFirst, toSecond)) {
      h.getJsonArray("customersRefused").forEach(c -> refusedCustomers.add((String) c));
    }

    Set<String> launchCustomers = launchCustomers(accounts);
    wait.until("every group posted and every launch customer reached (but those who refused and stay with restricted " + leaving + ")",
        () -> stack.fleet.groups().stream().allMatch(g -> posts(stack, g.id()) >= 1)
            && launchCustomers.stream().filter(c -> !refusedCustomers.contains(c)).allMatch(c -> launches(stack, c) >= 1)
            && openElsewhere(stack, leaving) == 0);
    return verdict(stack, leaving, launchCustomers, refusedCustomers, postedBefore, platform, Math.round((System.nanoTime() - t0) / 1e9));
  }

  private static int verdict(DemoStack stack, String leaving, Set<String> launchCustomers, Set<String> refused, long postedBefore, SimulatorControl platform, long wall) {
    List<String> wrong = new ArrayList<>();
    Map<String, Integer> groupsBy = new LinkedHashMap<>();
    for (Fleet.GroupSeed g : stack.fleet.groups()) {
      int n = posts(stack, g.id());
      if (n != 1) {
        wrong.add(g.id() + " got " + n + " posts (one expected)");
      }
      String owner = stack.sim.world().find(g.id()).accountId();
      groupsBy.merge(owner, 1, Integer::sum);
      if (!owner.equals(stack.get("/groups/" + g.id()).getString("accountId"))) {
        wrong.add(g.id() + " is " + owner + "'s in the simulator but not in the controller");
      }
    }
    int launched = 0;
    List<String> waiting = new ArrayList<>();
    for (String a : stack.fleet.accounts()) {
      for (int i = 1; i <= CUSTOMERS; i++) {
        String c = customer(a, i);
        int n = launches(stack, c);
        launched += n;
        boolean isOld = i <= OLD_CUSTOMERS;
        boolean targeted = launchCustomers.contains(c);
        if (isOld && (n != 0 || revisits(stack, c) != 1)) {
          wrong.add(c + " (老客) got " + n + " launches and " + revisits(stack, c) + " follow-ups (0 and 1 expected: the cadence)");
        } else if (!targeted && !isOld && n != 0) {
          wrong.add(c + " (not tagged) got the launch");
        } else if (targeted && refused.contains(c) && n == 0) {
          waiting.add(c);
        } else if (targeted && n != 1) {
          wrong.add(c + " got " + n + " launches (one expected)");
        }
        String owner = stack.sim.world().find(c).accountId();
        if (refused.contains(c) != owner.equals(leaving)) {
          wrong.add(c + " is " + owner + "'s in the simulator" + (refused.contains(c) ? " though it refused the transfer" : ""));
        }
      }
    }
    JsonArray skipped = stack.getArray("/jobs?broadcastId=launch&state=SKIPPED");
    int old = OLD_CUSTOMERS * stack.fleet.accounts().size();
    for (Object o : skipped) {
      JsonObject j = (JsonObject) o;
      if (!j.getString("reason", "").contains("broadcast:revisit:cust:" + j.getString("customerId"))) {
        wrong.add("the skip of " + j.getString("id") + " does not name the follow-up that used the slot: " + j.getString("reason"));
      }
    }
    if (!skipped.isEmpty()) {
      System.out.println("cadence skip, as the job says: " + skipped.getJsonObject(0).getString("reason"));
    }
    if (skipped.size() != old) {
      wrong.add(skipped.size() + " launch jobs skipped by the cadence (" + old + " 老客 expected)");
    }
    // A customer asked twice (a second handover of "all") refuses twice: the platform's record counts people.
    Set<String> simRefused = new LinkedHashSet<>();
    platform.transfers().stream().map(o -> (JsonObject) o).filter(t -> t.getString("outcome").equals("refused")).forEach(t -> simRefused.add(t.getString("id")));
    if (!simRefused.equals(refused)) {
      wrong.add("the platform recorded refusals by " + simRefused + ", the controller " + refused);
    }
    List<String> warnings = stack.sim.riskEvents().stream().filter(e -> !e.accountId().equals(leaving)).map(Object::toString).toList();
    if (!warnings.isEmpty()) {
      wrong.add("the platform warned other accounts: " + warnings);
    }
    System.out.printf("groups: %d, each posted once (%s posted %d before its restriction); the simulator's owners now %s%n", stack.fleet.groups().size(), leaving, postedBefore,
        groupsBy);
    System.out.printf("launch: %d customers tagged %s, %d reached once, %d 老客 skipped by the cadence (each naming the follow-up), %d refused the transfer and wait with %s %s%n",
        launchCustomers.size() + old, TAG, launched, skipped.size(), waiting.size(), leaving, waiting);
    System.out.printf("refused transfers (they stay with %s, listed in GET /handovers): %s   wall=%ds%n", leaving, refused, wall);
    if (!wrong.isEmpty()) {
      wrong.forEach(w -> System.out.println("simulator check FAILED: " + w));
      return 1;
    }
    System.out.println("simulator check: every group one post, every launch customer one launch, the cadence skips named, the refused still " + leaving
        + "'s; no other account warned");
    return 0;
  }

  /** Customers the launch is for and may reach: tagged, not 老客. */
  private static Set<String> launchCustomers(List<String> accounts) {
    Set<String> out = new LinkedHashSet<>();
    for (String a : accounts) {
      for (int i = OLD_CUSTOMERS + 1; i <= TAGGED; i++) {
        out.add(customer(a, i));
      }
    }
    return out;
  }

  private static void seed(DemoStack stack) {
    String tag = URLEncoder.encode(TAG, StandardCharsets.UTF_8);
    stack.put("/limits/customer-tags/" + tag, new JsonObject().put("values", new JsonObject().put("customerCadence", "1/7d")).put("reason", "a launch at most once a week"));
    JsonArray events = new JsonArray();
    for (String a : stack.fleet.accounts()) {
      stack.put("/channel-codes/launch-" + a, new JsonObject().put("accountId", a).put("source", "expo").put("tags", new JsonArray().add(TAG)));
      stack.put("/channel-codes/old-" + a, new JsonObject().put("accountId", a).put("source", "store").put("tags", new JsonArray().add(TAG).add(OLD)));
      for (int i = 1; i <= CUSTOMERS; i++) {
        JsonObject e = new JsonObject().put("id", "added-" + customer(a, i)).put("type", "customer_added").put("accountId", a).put("customerId", customer(a, i))
            .put("nickname", "客户" + a.substring(4) + "-" + i);
        if (i <= TAGGED) {
          e.put("channelCode", (i <= OLD_CUSTOMERS ? "old-" : "launch-") + a);
        }
        events.add(e);
      }
    }
    stack.post("/events", new JsonObject().put("events", events));
    System.out.printf("handover: %d accounts, %d customers each (%d tagged %s, %d of them 老客); %s restricted mid-way and handed over; %d%% of customers refuse a transfer%n",
        stack.fleet.accounts().size(), CUSTOMERS, TAGGED, TAG, OLD_CUSTOMERS, stack.fleet.accounts().get(0), REFUSAL_PERCENT);
  }

  private static int posts(DemoStack stack, String groupId) {
    return (int) stack.sim.world().messagesOf(groupId).stream().filter(m -> m.mine() && m.text().equals(GROUP_TEXT)).count();
  }

  private static long postsIn(DemoStack stack, List<String> groups) {
    return groups.stream().mapToInt(g -> posts(stack, g)).sum();
  }

  private static int launches(DemoStack stack, String customer) {
    return (int) stack.sim.world().messagesOf(customer).stream().filter(m -> m.mine() && m.kind().equals("link")).count();
  }

  private static int revisits(DemoStack stack, String customer) {
    return (int) stack.sim.world().messagesOf(customer).stream().filter(m -> m.mine() && m.text().equals(REVISIT)).count();
  }

  /** Jobs queued, leased or running for every account but the restricted one. */
  private static int openElsewhere(DemoStack stack, String leaving) {
    int n = 0;
    for (String state : List.of("QUEUED", "LEASED", "RUNNING")) {
      n += (int) stack.getArray("/jobs?state=" + state).stream().filter(o -> !((JsonObject) o).getString("accountId").equals(leaving)).count();
    }
    return n;
  }
}
