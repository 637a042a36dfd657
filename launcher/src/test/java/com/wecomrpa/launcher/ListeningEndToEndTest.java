package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.Chatter;
import com.wecomrpa.time.SimulatedClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listening through the client's UI, judged by the simulator's record: simulated customers write
 * into groups and private chats with unread badges; the device reads them between sends, and the
 * controller stores each once, tags who asked what, answers from the reply library once a day,
 * starts the plan a tag triggers, and calls a customer left waiting late.
 */
class ListeningEndToEndTest {
  @TempDir Path dir;
  TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void twoHundredMessagesOverTwentyChatsAreEachStoredOnceWhileABroadcastGoesOutOnTheSameDevice() {
    // Three business seconds a real one: the minute of chatter takes twenty seconds.
    stack = TestStack.start(dir, new SimulatedClock(Instant.now(), 3), false, o -> o);
    String[] groups = IntStream.rangeClosed(1, 12).mapToObj(i -> "门店群 " + i).toArray(String[]::new);
    stack.oneAccountWithGroups(groups);
    List<String> chats = new ArrayList<>(IntStream.rangeClosed(1, 12).mapToObj(i -> "g-" + i).toList());
    customers(8).forEach(c -> chats.add(c.id()));
    stack.put("/accounts/acc-1/listening", new JsonObject().put("intervalSeconds", 1).put("budgetSeconds", 5));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));

    // 200 messages over a business minute into the 20 chats, while the broadcast to the 12 groups goes out.
    stack.sim.startChatter(new Chatter.Schedule(12_000, 1, 11L, List.of("acc-1"), chats));
    JsonArray all = new JsonArray();
    IntStream.rangeClosed(1, 12).forEach(i -> all.add("g-" + i));
    TestStack.await(stack.api.broadcastToGroups("b-1", "周末特惠", all));

    // Waited for as long as the hearing moves (a loaded host hears slower), and not a minute past
    // the last message it heard.
    long[] progress = com.wecomrpa.testing.Eventually.settleWhileMoving(Duration.ofSeconds(60), Duration.ofSeconds(360),
        () -> new long[] {stack.sim.world().customerMessageCount(), heardFromCustomers()}, seen -> seen[0] + seen[1] * 1000, seen -> seen[0] == 200 && seen[1] == 200);
    assertThat(progress).as("written, heard").containsExactly(200, 200);
    assertThat(stack.sim.world().customerMessages()).hasSize(200);
    // Exactly once: what the controller stored is what the customers wrote, message for message.
    Map<String, Integer> written = new HashMap<>();
    for (ChatWorld.ChatMessage m : stack.sim.world().customerMessages()) {
      written.merge(chatName(m.conversationId()) + "|" + m.senderName() + "|" + m.text(), 1, Integer::sum);
    }
    Map<String, Integer> stored = new HashMap<>();
    for (JsonObject m : messages("/messages?accountId=acc-1")) {
      if (!m.getBoolean("mine")) {
        stored.merge(m.getString("chat") + "|" + m.getString("sender") + "|" + m.getString("text"), 1, Integer::sum);
      }
    }
    assertThat(stored).isEqualTo(written);

    // The broadcast went out whole, once per group, none skipped or late.
    TestStack.waitUntil("the broadcast done", Duration.ofSeconds(60),
        () -> IntStream.rangeClosed(1, 12).allMatch(i -> "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-1:g-" + i).getString("state"))));
    IntStream.rangeClosed(1, 12).forEach(i -> assertThat(stack.sim.world().messagesOf("g-" + i)).as("g-" + i).hasSize(1));

    // One thing at a time: no listen overlaps a send on the device.
    List<Instant[]> sends = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      for (Object e : stack.getArray("/jobs/broadcast:b-1:g-" + i + "/executions")) {
        JsonObject x = (JsonObject) e;
        sends.add(new Instant[] {Instant.parse(x.getString("startedAt")), Instant.parse(x.getString("finishedAt"))});
      }
    }
    JsonArray listens = stack.getObject("/accounts/acc-1/listening").getJsonArray("recentListens");
    assertThat(listens).isNotEmpty();
    int checked = 0;
    for (Object o : listens) {
      JsonObject l = (JsonObject) o;
      if (l.getString("startedAt") == null) {
        continue;
      }
      Instant from = Instant.parse(l.getString("startedAt"));
      Instant to = Instant.parse(l.getString("finishedAt"));
      for (Instant[] s : sends) {
        assertThat(to.isBefore(s[0]) || from.isAfter(s[1])).as("listen %s..%s against send %s..%s", from, to, s[0], s[1]).isTrue();
      }
      checked++;
    }
    assertThat(checked).isPositive();
  }

  @Test
  void aKeywordTagsTheCustomerStartsItsPlanOnceAndIsAnsweredOnceADayUnderTheCaps() {
    SimulatedClock clock = new SimulatedClock(Instant.parse("2026-11-23T02:00:00Z"), 30); // 10:00 in Shanghai
    stack = TestStack.start(dir, clock, false, o -> o);
    stack.oneAccountWithGroups("门店群 1");
    customers(2);
    rules();
    // One post per group per day: the group already had its post, so a reply there is skipped by the cap.
    stack.put("/limits/accounts/acc-1", new JsonObject().put("values", new JsonObject().put("postsPerGroupPerDay", "1")).put("reason", "test"));
    stack.post("/plans", new JsonObject().put("id", "price-follow-up").put("name", "price follow-up").put("kind", "customer").put("window", "4h")
        .put("trigger", new JsonObject().put("event", "tag_added").put("tag", "询价"))
        .put("steps", new JsonArray().add(new JsonObject().put("offset", "+2m")
            .put("content", new JsonObject().put("kind", "text").put("text", "{nickname}，会员价今天有效")))));
    stack.put("/accounts/acc-1/listening", new JsonObject().put("intervalSeconds", 1).put("budgetSeconds", 5));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    TestStack.await(stack.api.broadcastToGroups("b-1", "今日上新", new JsonArray().add("g-1")));
    TestStack.waitUntil("the group's post of the day", Duration.ofSeconds(60), () -> stack.sim.world().messagesOf("g-1").size() == 1);

    stack.sim.world().customerWrites("cu-1", null, null, "text", "请问价格多少？", Map.of());
    stack.sim.world().customerWrites("cu-1", null, null, "text", "还有优惠吗，价格能少点吗", Map.of());
    stack.sim.world().customerWrites("g-1", "cu-2", "顾客2", "text", "群里问下价格", Map.of());

    TestStack.waitUntil("the reply and the plan's step in the private chat", Duration.ofSeconds(90),
        () -> stack.sim.world().messagesOf("cu-1").size() >= 2);
    // A second reply or step, if one were coming, would come from what two more listens hear.
    stack.awaitListens("acc-1", 2);
    stack.awaitSettled();
    List<String> toCustomer = stack.sim.world().messagesOf("cu-1").stream().map(ChatWorld.ChatMessage::text).toList();
    assertThat(toCustomer).filteredOn(t -> t.startsWith("顾客1您好")).as("one auto-reply a day").hasSize(1);
    assertThat(toCustomer).filteredOn(t -> t.contains("会员价今天有效")).as("the plan's step, once").hasSize(1);
    JsonObject tags = stack.getObject("/customers/cu-1/tags");
    assertThat(tags.getJsonArray("tags")).containsExactly("询价");
    assertThat(tags.getJsonArray("changes")).hasSize(1);
    assertThat(tags.getJsonArray("changes").getJsonObject(0).getString("ruleId")).isEqualTo("price");
    assertThat(tags.getJsonArray("changes").getJsonObject(0).getLong("messageId")).isNotNull();
    assertThat(stack.getObject("/customers/cu-2/tags").getJsonArray("tags")).containsExactly("询价");

    // The group reply is a job like any other: the day's post was made, so the cap skips it.
    // Its key says rule, customer, day and which of the day's replies it is: it is never queued twice.
    JsonObject groupReply = stack.getObject("/jobs/" + enc("reply:price:cu-2:2026-11-23:1"));
    assertThat(groupReply.getString("groupId")).isEqualTo("g-1");
    assertThat(groupReply.getString("state")).isEqualTo("SKIPPED");
    assertThat(stack.sim.world().messagesOf("g-1")).hasSize(1);
  }

  @Test
  void aCustomerLeftWaitingIsCalledLateAndOneAnsweredByAPersonOnTheDeviceIsNot() {
    // Twenty business minutes a real minute: customer 2's ten minutes are 30 s, time for a loaded
    // host to hear the person's answer before they run out (the product cannot know of an answer
    // it has not heard, and rightly calls that customer late).
    SimulatedClock clock = new SimulatedClock(Instant.parse("2026-11-23T02:00:00Z"), 20);
    stack = TestStack.start(dir, clock, false, o -> o);
    stack.oneAccountWithGroups("门店群 1");
    customers(2);
    rules();
    stack.put("/reply-time-rules/after-sales", new JsonObject().put("tag", "售后").put("minutes", 10));
    stack.put("/accounts/acc-1/listening", new JsonObject().put("intervalSeconds", 1).put("budgetSeconds", 5));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));

    stack.sim.world().customerWrites("cu-1", null, null, "text", "东西坏了，我要退款", Map.of());
    Instant cu2Deadline = clock.instant().plus(Duration.ofMinutes(10));
    stack.sim.world().customerWrites("cu-2", null, null, "text", "包装破损了，能退款吗", Map.of());
    TestStack.waitUntil("both tagged", Duration.ofSeconds(60), () -> stack.getObject("/customers/cu-1/tags").getJsonArray("tags").contains("售后")
        && stack.getObject("/customers/cu-2/tags").getJsonArray("tags").contains("售后"));
    // A person on the phone answers customer 2 within the ten minutes; nobody answers customer 1.
    stack.sim.world().personOnDeviceWrites("cu-2", "抱歉给您添麻烦了，马上为您处理退款");

    TestStack.waitUntil("reply:late for customer 1", Duration.ofSeconds(150), () -> stack.getArray("/alerts").stream()
        .map(a -> (JsonObject) a).anyMatch(a -> a.getString("kind").equals("reply:late") && a.getString("detail").contains("顾客1")));
    // Past customer 2's deadline too, and checked twice since: still no alert for them.
    TestStack.waitUntil("customer 2's ten minutes are over", Duration.ofSeconds(90), () -> clock.instant().isAfter(cu2Deadline));
    long checks = stack.lateReplyRuns() + 2;
    TestStack.waitUntil("two late-reply checks since", Duration.ofSeconds(30), () -> stack.lateReplyRuns() >= checks);
    assertThat(stack.getArray("/alerts").stream().map(a -> (JsonObject) a).filter(a -> a.getString("kind").equals("reply:late")))
        .allSatisfy(a -> assertThat(a.getString("detail")).doesNotContain("顾客2"))
        .hasSize(1);
    JsonObject late = messages("/customers/cu-1/messages").get(0);
    assertThat(late.getString("lateAt")).isNotNull();
    List<JsonObject> answered = messages("/customers/cu-2/messages");
    assertThat(answered).filteredOn(m -> !m.getBoolean("mine")).allSatisfy(m -> assertThat(m.getString("answeredAt")).isNotNull());
  }

  /** Customers cu-1..cu-N of acc-1 with their private chats, known to the controller. */
  private List<ChatWorld.Contact> customers(int n) {
    List<ChatWorld.Contact> contacts = IntStream.rangeClosed(1, n).mapToObj(i -> new ChatWorld.Contact("cu-" + i, "acc-1", "顾客" + i)).toList();
    stack.sim.world().addContacts(contacts);
    JsonArray events = new JsonArray();
    contacts.forEach(c -> events.add(new JsonObject().put("id", "added-" + c.id()).put("type", "friend_added").put("accountId", "acc-1")
        .put("customerId", c.id()).put("nickname", c.nickname())));
    stack.post("/events", new JsonObject().put("events", events));
    return contacts;
  }

  private void rules() {
    stack.put("/tags/" + enc("询价"), new JsonObject().put("description", "asked about prices"));
    stack.put("/tags/" + enc("售后"), new JsonObject().put("description", "after-sales"));
    stack.put("/replies/price", new JsonObject().put("text", "{nickname}您好，价格请看群公告"));
    stack.put("/keyword-rules/price", new JsonObject().put("match", "any").put("words", new JsonArray().add("价格").add("优惠"))
        .put("addTags", new JsonArray().add("询价")).put("reply", new JsonObject().put("replyId", "price")));
    stack.put("/keyword-rules/refund", new JsonObject().put("match", "regex").put("pattern", "退款|破损").put("addTags", new JsonArray().add("售后")));
  }

  private long heardFromCustomers() {
    return stack.getObject("/overview").getJsonObject("conversations").getLong("messagesFromCustomers");
  }

  /** Every message of a paged listing. */
  private List<JsonObject> messages(String path) {
    List<JsonObject> out = new ArrayList<>();
    Object before = null;
    do {
      JsonObject page = stack.getObject(path + (path.contains("?") ? "&" : "?") + "limit=500" + (before == null ? "" : "&before=" + before));
      page.getJsonArray("messages").forEach(m -> out.add((JsonObject) m));
      before = page.getValue("nextBefore");
    } while (before != null);
    return out;
  }

  private String chatName(String conversationId) {
    return stack.sim.world().allConversations().stream().filter(c -> c.id().equals(conversationId)).findFirst().orElseThrow().name();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
