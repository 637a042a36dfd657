package com.wecomrpa.launcher;

import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.Chatter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Simulated customers talk to every account for a simulated hour while a broadcast goes out: the
 * devices listen between sends, keyword rules tag who asks about prices or refunds, a price
 * question gets one auto-reply a day and starts a follow-up plan, and refund questions left
 * unanswered past 30 minutes are called late. The simulator's own count of what customers wrote
 * judges what was heard.
 */
final class ConversationScenario {
  static final int CUSTOMERS_PER_ACCOUNT = 5;
  static final int MESSAGES_PER_HOUR = 60;
  static final int MINUTES = 60;

  private ConversationScenario() {}

  /** Each account's customers, with their private chats in the simulator. */
  static List<ChatWorld.Contact> contacts(Fleet fleet) {
    List<ChatWorld.Contact> out = new ArrayList<>();
    for (int a = 0; a < fleet.accounts().size(); a++) {
      for (int i = 1; i <= CUSTOMERS_PER_ACCOUNT; i++) {
        out.add(new ChatWorld.Contact("cu-" + (a + 1) + "-" + i, fleet.accounts().get(a), "顾客" + (a + 1) + "-" + i));
      }
    }
    return out;
  }

  static String segment(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * The hour the customers talk, at 10:00 in the accounts' zone today: the overview's counts are
   * per day there, and an hour that crossed midnight would count half of it on another day.
   */
  static com.wecomrpa.time.SimulatedClock clockFor(double speed) {
    java.time.ZoneId zone = java.time.ZoneId.of(DemoStack.ZONE);
    return new com.wecomrpa.time.SimulatedClock(java.time.LocalDate.now(zone).atTime(10, 0).atZone(zone).toInstant(), speed);
  }

  static int run(DemoStack stack, double speed) {
    long t0 = System.nanoTime();
    JsonArray events = new JsonArray();
    for (ChatWorld.Contact c : contacts(stack.fleet)) {
      events.add(new JsonObject().put("id", "added-" + c.id()).put("type", "friend_added").put("accountId", c.accountId())
          .put("customerId", c.id()).put("nickname", c.nickname()));
    }
    stack.post("/events", new JsonObject().put("events", events));
    stack.put("/tags/" + segment("询价"), new JsonObject().put("description", "asked about prices or offers"));
    stack.put("/tags/" + segment("售后"), new JsonObject().put("description", "after-sales: refunds, damage"));
    stack.put("/replies/price", new JsonObject().put("name", "price question")
        .put("text", "{nickname}您好，价格和优惠请看群公告，本周会员9折，我稍后再详细回复您🙏"));
    stack.put("/keyword-rules/price", new JsonObject().put("match", "any").put("words", new JsonArray().add("价格").add("多少钱").add("优惠"))
        .put("addTags", new JsonArray().add("询价")).put("reply", new JsonObject().put("replyId", "price")));
    stack.put("/keyword-rules/refund", new JsonObject().put("match", "regex").put("pattern", "退款|破损|不一样")
        .put("addTags", new JsonArray().add("售后")));
    stack.put("/reply-time-rules/after-sales", new JsonObject().put("tag", "售后").put("minutes", 30));
    stack.post("/plans", new JsonObject().put("id", "price-follow-up").put("name", "Follow up a price question").put("kind", "customer")
        .put("window", "4h").put("trigger", new JsonObject().put("event", "tag_added").put("tag", "询价"))
        .put("steps", new JsonArray().add(new JsonObject().put("offset", "+10m")
            .put("content", new JsonObject().put("kind", "text").put("text", "{nickname}，刚才问的价格：本周会员9折，满199再减30。")))));
    for (String a : stack.fleet.accounts()) {
      // Fast profile: a listen every 3 s (real time) so a simulated hour is heard within a minute.
      stack.put("/accounts/" + a + "/listening", new JsonObject().put("intervalSeconds", 3).put("budgetSeconds", 10));
    }
    Processes.await(stack.api.broadcastToTag("demo-broadcast", BroadcastScenario.TEXT, "demo"), Duration.ofSeconds(60));
    stack.sim.startChatter(new Chatter.Schedule(MESSAGES_PER_HOUR, MINUTES, 42L, null, null));
    System.out.printf("customers write %d messages an hour to each of %d accounts for a simulated hour (%.0fx: about %ds)%n",
        MESSAGES_PER_HOUR, stack.fleet.accounts().size(), speed, Math.round(MINUTES * 60 / speed));

    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    String lastLine = "";
    long lastPrinted = 0;
    JsonObject heard;
    while (true) {
      BroadcastScenario.sleep(1000);
      long written = stack.sim.world().customerMessageCount();
      boolean talking = stack.sim.chatterRunning();
      JsonObject o = stack.get("/overview");
      heard = o.getJsonObject("conversations");
      JsonObject q = o.getJsonObject("queue");
      int open = q.getInteger("QUEUED") + q.getInteger("LEASED") + q.getInteger("RUNNING");
      String line = String.format("heard %d/%d customer messages  tags=%d replies=%d late=%d  jobs open=%d",
          heard.getLong("messagesFromCustomers"), written, heard.getLong("tagsAdded"), heard.getLong("autoRepliesSent"), heard.getLong("lateReplies"), open);
      if (!line.equals(lastLine) && System.nanoTime() - lastPrinted >= 5_000_000_000L) {
        System.out.println(line);
        lastLine = line;
        lastPrinted = System.nanoTime();
      }
      boolean allHeard = heard.getLong("messagesFromCustomers") == written;
      // Replies and follow-ups due within the hour are part of it; later follow-ups are not waited for.
      if (!talking && allHeard && open == 0 || System.nanoTime() > deadline) {
        break;
      }
    }
    long written = stack.sim.world().customerMessageCount();
    long wall = Math.round((System.nanoTime() - t0) / 1e9);
    JsonObject all = stack.get("/overview").getJsonObject("today");
    System.out.printf("messages heard=%d written=%d (simulator)%n", heard.getLong("messagesFromCustomers"), written);
    System.out.printf("tags added=%d auto-replies sent=%d late replies flagged=%d%n",
        heard.getLong("tagsAdded"), heard.getLong("autoRepliesSent"), heard.getLong("lateReplies"));
    System.out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", all.getInteger("sent"), all.getInteger("skipped"),
        all.getInteger("failed") + all.getInteger("unknown"), wall);
    Map<String, Integer> counts = stack.sim.world().messageCounts();
    long broadcastMissing = counts.values().stream().filter(n -> n < 1).count();
    if (heard.getLong("messagesFromCustomers") != written) {
      System.out.println("simulator check FAILED: heard and written differ");
      return 1;
    }
    if (broadcastMissing > 0) {
      System.out.printf("simulator check FAILED: %d groups got no broadcast%n", broadcastMissing);
      return 1;
    }
    System.out.printf("simulator check: every customer message heard once; all %d groups got the broadcast%n", counts.size());
    return all.getInteger("failed") + all.getInteger("unknown") == 0 ? 0 : 1;
  }
}
