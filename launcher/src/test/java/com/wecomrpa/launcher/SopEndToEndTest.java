package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.time.ManualClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SOPs on a business clock that the test moves: the controller and the simulator read the same
 * clock, real agents send through headless Chromium, and the simulator's record is the judge.
 */
class SopEndToEndTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final LocalDate DAY0 = LocalDate.of(2026, 12, 1);

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(DAY0.atStartOfDay(SHANGHAI).toInstant());
  TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  void startWithAccounts(String... accounts) {
    startWithAccounts(3, accounts);
  }

  void startWithAccounts(int postsPerGroupPerDay, String... accounts) {
    stack = TestStack.start(dir, clock, false, o -> o.withCaps(200, postsPerGroupPerDay));
    List<ChatWorld.Account> simAccounts = new ArrayList<>();
    for (String a : accounts) {
      simAccounts.add(new ChatWorld.Account(a, "Bot " + a));
      TestStack.await(stack.api.createAccount(a, "wecom", "Bot " + a, "Asia/Shanghai"));
    }
    stack.sim.world().addAccounts(simAccounts);
  }

  void at(LocalDate day, String time) {
    clock.set(ZonedDateTime.of(day, LocalTime.parse(time), SHANGHAI).toInstant());
  }

  static JsonObject text(String text) {
    return new JsonObject().put("kind", "text").put("text", text);
  }

  /** Messages of a conversation received on one calendar day in Shanghai, per the simulator. */
  List<ChatWorld.ChatMessage> onDay(String conversation, LocalDate day) {
    return stack.sim.world().messagesOf(conversation).stream()
        .filter(m -> LocalDate.ofInstant(m.receivedAt(), SHANGHAI).equals(day))
        .toList();
  }

  @Test
  void aGroupSopWithFourDailyTimesGivesEachOfTenGroupsThreePostsADayForThreeDays() {
    startWithAccounts("acc-1", "acc-2");
    List<ChatWorld.Group> simGroups = new ArrayList<>();
    JsonArray groups = new JsonArray();
    for (int i = 1; i <= 10; i++) {
      String account = i <= 5 ? "acc-1" : "acc-2";
      simGroups.add(new ChatWorld.Group("store-" + i, account, "门店 " + i + " 群"));
      groups.add(new JsonObject().put("id", "store-" + i).put("name", "门店 " + i + " 群").put("accountId", account)
          .put("tags", new JsonArray().add("store:" + i).add(i % 2 == 0 ? "region=east" : "region=west")));
    }
    stack.sim.world().addGroups(simGroups);
    TestStack.await(stack.api.createGroups(groups));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1"), stack.device("dev-2", "acc-2")));

    List<String> times = List.of("09:00", "12:00", "15:29", "20:00");
    JsonArray steps = new JsonArray();
    for (String t : times) {
      steps.add(new JsonObject().put("at", t).put("content", text(t + " 好物推荐 · {group_name}")));
    }
    stack.post("/plans", new JsonObject().put("id", "daily-four").put("name", "Four a day").put("kind", "group")
        .put("target", new JsonObject().put("selector", "store:*")).put("steps", steps));

    for (int d = 0; d < 3; d++) {
      LocalDate day = DAY0.plusDays(d);
      for (int t = 0; t < 3; t++) {
        at(day, times.get(t));
        clock.advance(Duration.ofMinutes(1));
        int expected = t + 1;
        TestStack.waitUntil(day + " " + times.get(expected - 1) + " posts in every group", Duration.ofSeconds(60),
            () -> simGroups.stream().allMatch(g -> onDay(g.id(), day).size() == expected));
      }
      at(day, "20:01");
      JsonArray skipped = stack.getArray("/jobs?planId=daily-four&state=SKIPPED");
      assertThat(skipped.stream().map(j -> (JsonObject) j).filter(j -> j.getString("id").contains(":s3:") && j.getString("id").endsWith(":" + day)))
          .hasSize(10)
          .allSatisfy(j -> assertThat(j.getString("reason")).startsWith("quota:group-daily").contains("won by daily-four"));
    }
    at(DAY0.plusDays(3), "08:00");
    stack.awaitSettled(); // a late send would have happened by now

    for (ChatWorld.Group g : simGroups) {
      for (int d = 0; d < 3; d++) {
        List<ChatWorld.ChatMessage> got = onDay(g.id(), DAY0.plusDays(d));
        assertThat(got).as("%s on day %d", g.id(), d).extracting(ChatWorld.ChatMessage::text)
            .containsExactly("09:00 好物推荐 · " + g.name(), "12:00 好物推荐 · " + g.name(), "15:29 好物推荐 · " + g.name());
      }
    }
    // The controller's view agrees once the last reports are in.
    TestStack.waitUntil("all 90 posts reported", Duration.ofSeconds(15),
        () -> stack.getObject("/plans/daily-four").getJsonObject("report").getJsonObject("states").getInteger("SUCCEEDED", 0) == 90);
  }

  /** The same flows through chromedriver and through an Appium server. */
  @ParameterizedTest(name = "through {0}")
  @ValueSource(strings = {"selenium", "appium"})
  void everyContentKindArrivesInTheClientAsItsOwnBubbleAndMomentsArePosted(String driver) {
    startWithAccounts(10, "acc-1");
    // Five posts to one group in a day: the platform must allow that here too.
    stack.sim.setRiskModel("acc-1", new com.wecomrpa.simulator.RiskModel(100, Duration.ofMinutes(1), 10, Duration.ofMinutes(10)));
    stack.sim.world().addGroups(List.of(new ChatWorld.Group("vip", "acc-1", "VIP 群")));
    TestStack.await(stack.api.createGroups(new JsonArray().add(new JsonObject().put("id", "vip").put("name", "VIP 群").put("accountId", "acc-1")
        .put("tags", new JsonArray().add("vip")))));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1", driver)));
    JsonArray steps = new JsonArray()
        .add(new JsonObject().put("at", "09:00").put("content", text("早安 {group_name}")))
        .add(new JsonObject().put("at", "09:10").put("content", new JsonObject().put("kind", "image").put("url", "https://img.example.com/a.png")))
        .add(new JsonObject().put("at", "09:20").put("content", new JsonObject().put("kind", "link").put("url", "https://shop.example.com/c")
            .put("title", "{group_name} 专享券").put("description", "今晚有效").put("cover", "https://img.example.com/c.png")))
        .add(new JsonObject().put("at", "09:30").put("content", new JsonObject().put("kind", "miniprogram").put("appId", "wx0123456789abcdef")
            .put("path", "pages/item?id=7").put("title", "限时秒杀").put("cover", "https://img.example.com/m.png")))
        .add(new JsonObject().put("at", "09:40").put("content", new JsonObject().put("kind", "file").put("url", "https://files.example.com/menu.pdf")
            .put("name", "菜单.pdf")));
    stack.post("/plans", new JsonObject().put("id", "all-kinds").put("name", "All kinds").put("kind", "group").put("window", "2h")
        .put("target", new JsonObject().put("selector", "vip")).put("steps", steps));
    stack.post("/plans", new JsonObject().put("id", "moments").put("name", "Moments").put("kind", "moments").put("accounts", new JsonArray().add("acc-1"))
        .put("steps", new JsonArray().add(new JsonObject().put("at", "09:45").put("content",
            new JsonObject().put("kind", "image").put("url", "https://img.example.com/m.png").put("text", "{account_name} 今日上新")))));

    at(DAY0, "09:46");
    TestStack.waitUntil("five kinds in the group and one Moments post", Duration.ofSeconds(90),
        () -> stack.sim.world().messagesOf("vip").size() == 5 && stack.sim.world().momentsOf("acc-1").size() == 1);

    List<ChatWorld.ChatMessage> got = stack.sim.world().messagesOf("vip");
    assertThat(got).extracting(ChatWorld.ChatMessage::kind).containsExactly("text", "image", "link", "miniprogram", "file");
    assertThat(got.get(0).text()).isEqualTo("早安 VIP 群");
    assertThat(got.get(1).payload()).containsEntry("url", "https://img.example.com/a.png");
    assertThat(got.get(2).text()).isEqualTo("VIP 群 专享券");
    assertThat(got.get(2).payload()).containsEntry("url", "https://shop.example.com/c").containsEntry("description", "今晚有效")
        .containsEntry("cover", "https://img.example.com/c.png");
    assertThat(got.get(3).payload()).containsEntry("appId", "wx0123456789abcdef").containsEntry("path", "pages/item?id=7").containsEntry("title", "限时秒杀");
    assertThat(got.get(4).payload()).containsEntry("url", "https://files.example.com/menu.pdf").containsEntry("title", "菜单.pdf");
    ChatWorld.MomentPost post = stack.sim.world().momentsOf("acc-1").get(0);
    assertThat(post.text()).isEqualTo("Bot acc-1 今日上新");
    assertThat(post.payload()).containsEntry("image", "https://img.example.com/m.png");
  }

  @Test
  void aCustomerSopReachesEveryCustomerAtEveryStepExactlyOnceAcrossAControllerRestart() {
    startWithAccounts("acc-1");
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    List<String> offsets = List.of("+3m", "+3d", "+7d", "+15d");
    List<Duration> delays = List.of(Duration.ofMinutes(3), Duration.ofDays(3), Duration.ofDays(7), Duration.ofDays(15));
    JsonArray steps = new JsonArray();
    for (int i = 0; i < offsets.size(); i++) {
      steps.add(new JsonObject().put("offset", offsets.get(i)).put("content", text("第" + (i + 1) + "次回访：{nickname}，{gift|新人礼}已备好")));
    }
    stack.post("/plans", new JsonObject().put("id", "follow-up").put("name", "New customer follow-up").put("kind", "customer")
        .put("trigger", new JsonObject().put("event", "friend_added")).put("steps", steps));

    // Four customers added over three days; each contact exists in the client before it is added.
    Map<String, Instant> addedAt = new TreeMap<>();
    addedAt.put("cust-1", ZonedDateTime.of(DAY0, LocalTime.of(10, 0), SHANGHAI).toInstant());
    addedAt.put("cust-2", ZonedDateTime.of(DAY0, LocalTime.of(16, 30), SHANGHAI).toInstant());
    addedAt.put("cust-3", ZonedDateTime.of(DAY0.plusDays(1), LocalTime.of(11, 0), SHANGHAI).toInstant());
    addedAt.put("cust-4", ZonedDateTime.of(DAY0.plusDays(2), LocalTime.of(9, 15), SHANGHAI).toInstant());
    stack.sim.world().addContacts(addedAt.keySet().stream().map(c -> new ChatWorld.Contact(c, "acc-1", "顾客" + c.substring(5))).toList());

    record Due(String customer, int step, Instant at) {}
    List<Due> schedule = new ArrayList<>();
    List<Instant> moments = new ArrayList<>();
    addedAt.forEach((c, t) -> {
      moments.add(t);
      for (int i = 0; i < delays.size(); i++) {
        schedule.add(new Due(c, i, t.plus(delays.get(i))));
        moments.add(t.plus(delays.get(i)));
      }
    });
    moments.sort(Comparator.naturalOrder());

    int stop = 0;
    for (Instant moment : moments.stream().distinct().toList()) {
      clock.set(moment);
      addedAt.forEach((c, t) -> {
        if (t.equals(moment)) {
          JsonObject event = new JsonObject().put("id", "evt-" + c).put("type", "friend_added").put("accountId", "acc-1")
              .put("customerId", c).put("nickname", "顾客" + c.substring(5)).put("at", t.toString());
          JsonObject res = stack.post("/events", new JsonObject().put("events", new JsonArray().add(event).add(event)));
          assertThat(res.getInteger("accepted")).isEqualTo(1);
          assertThat(res.getInteger("duplicates")).isEqualTo(1);
        }
      });
      long due = schedule.stream().filter(d -> !d.at().isAfter(moment)).count();
      TestStack.waitUntil(due + " follow-ups delivered by " + moment, Duration.ofSeconds(60),
          () -> addedAt.keySet().stream().mapToInt(c -> stack.sim.world().messagesOf(c).size()).sum() == due);
      if (++stop == moments.size() / 2) {
        stack.restartController();
      }
    }
    clock.set(moments.get(moments.size() - 1).plus(Duration.ofDays(20)));
    stack.awaitSettled();

    for (Due d : schedule) {
      List<ChatWorld.ChatMessage> got = stack.sim.world().messagesOf(d.customer());
      assertThat(got).as("messages to %s", d.customer()).hasSize(4);
      ChatWorld.ChatMessage m = got.get(d.step());
      assertThat(m.text()).isEqualTo("第" + (d.step() + 1) + "次回访：顾客" + d.customer().substring(5) + "，新人礼已备好");
      assertThat(m.receivedAt()).as("%s step %d on time", d.customer(), d.step()).isEqualTo(d.at());
    }
  }

  @Test
  void aFourCycleSequenceRunsThirtyDaysApartAndEndsWhenTheCustomerLeavesTheStage() {
    startWithAccounts("acc-1");
    stack.sim.world().addContacts(List.of(new ChatWorld.Contact("loyal", "acc-1", "老客户"), new ChatWorld.Contact("leaver", "acc-1", "流失客户")));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    stack.post("/plans", new JsonObject().put("id", "repurchase").put("name", "Member re-purchase").put("kind", "customer")
        .put("trigger", new JsonObject().put("event", "stage_entered").put("stage", "member")).put("stage", "member")
        .put("repeat", new JsonObject().put("count", 4).put("intervalDays", 30))
        .put("steps", new JsonArray().add(new JsonObject().put("offset", "day 1 at 10:00").put("content", text("{nickname}，会员复购提醒")))));

    at(DAY0, "09:00");
    JsonArray joined = new JsonArray();
    for (String c : List.of("loyal", "leaver")) {
      joined.add(new JsonObject().put("id", "member-" + c).put("type", "stage_entered").put("stage", "member").put("accountId", "acc-1").put("customerId", c)
          .put("nickname", c.equals("loyal") ? "老客户" : "流失客户"));
    }
    stack.post("/events", new JsonObject().put("events", joined));

    for (int cycle = 0; cycle < 4; cycle++) {
      at(DAY0.plusDays(1 + 30L * cycle), "10:01");
      int expected = cycle + 1;
      TestStack.waitUntil("cycle " + cycle + " reached the loyal customer", Duration.ofSeconds(60),
          () -> stack.sim.world().messagesOf("loyal").size() == expected);
      if (cycle == 1) {
        at(DAY0.plusDays(40), "12:00");
        stack.post("/events", new JsonObject().put("events", new JsonArray().add(new JsonObject().put("id", "churn-leaver")
            .put("type", "stage_entered").put("stage", "churned").put("customerId", "leaver"))));
      }
    }
    at(DAY0.plusDays(200), "00:00");
    stack.awaitSettled();

    assertThat(stack.sim.world().messagesOf("loyal")).hasSize(4)
        .extracting(m -> LocalDate.ofInstant(m.receivedAt(), SHANGHAI))
        .containsExactly(DAY0.plusDays(1), DAY0.plusDays(31), DAY0.plusDays(61), DAY0.plusDays(91));
    assertThat(stack.sim.world().messagesOf("leaver")).hasSize(2);
    assertThat(stack.getObject("/customers/leaver").getString("stage")).isEqualTo("churned");
  }
}
