package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.time.SimulatedClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Customers as targets through the client's UI (real agent, Chromium, the simulator's record): a
 * segment send reaches exactly the previewed customers once each; a second launch is skipped by the
 * customers' cadence, naming the first; each private content kind arrives as that kind; a step
 * with {@code unless: [replied]} is skipped for the customer who answered and sent to the one who
 * did not; a handover while a group's job is in flight sends it once, moves the group and the
 * customers who accept, and leaves the one who refused with the old account.
 */
class CustomersEndToEndTest {
  static final List<String> LAUNCH = List.of("c-1", "c-2", "c-3", "c-4");
  static final String LAUNCH_TEXT = "冬季新品上市，老客专享九折";

  @TempDir Path dir;
  TestStack stack;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void segmentsCadenceRichKindsUnlessAndAHandoverMidSendEachReachTheirCustomersOnce() throws Exception {
    // Real time, save one jump: the follow-up's two minutes pass at once when the test has seen
    // everything that had to come before them.
    SimulatedClock clock = new SimulatedClock(Instant.now(), 1);
    stack = TestStack.start(dir, clock, false, o -> o);
    seed();
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1"), stack.device("dev-2", "acc-2")));

    // A launch to a segment: the preview names exactly who the send then reaches.
    JsonObject launch = launch("b-1");
    JsonObject preview = stack.post("/broadcasts?preview=true", launch);
    assertThat(preview.getInteger("count")).isEqualTo(4);
    assertThat(stack.post("/broadcasts", launch).getInteger("jobs")).isEqualTo(preview.getInteger("count"));
    // Each rich kind, 1:1 to the VIP customer.
    stack.post("/broadcasts", rich("b-img", new JsonObject().put("kind", "image").put("url", "https://cdn.example.com/new.png")));
    stack.post("/broadcasts", rich("b-link", new JsonObject().put("kind", "link").put("url", "https://shop.example.com/new").put("title", "冬季新品")));
    stack.post("/broadcasts", rich("b-mini", new JsonObject().put("kind", "miniprogram").put("title", "会员中心").put("appId", "wx0001").put("path", "pages/vip")));
    stack.post("/broadcasts", rich("b-file", new JsonObject().put("kind", "file").put("url", "https://cdn.example.com/menu.pdf").put("name", "menu.pdf")));
    // Two new friends start the follow-up plan; 六号 will answer the greeting.
    stack.post("/events", new JsonObject().put("events", new JsonArray()
        .add(new JsonObject().put("id", "e-6").put("type", "friend_added").put("accountId", "acc-1").put("customerId", "c-6").put("nickname", "六号"))
        .add(new JsonObject().put("id", "e-7").put("type", "friend_added").put("accountId", "acc-1").put("customerId", "c-7").put("nickname", "七号"))));

    TestStack.waitUntil("the launch at its four customers, the four kinds at 五号, greetings at 六号 and 七号", Duration.ofSeconds(120),
        () -> LAUNCH.stream().allMatch(c -> texts(c).contains(LAUNCH_TEXT)) && kinds("c-5").size() == 4
            && texts("c-6").contains("欢迎 六号") && texts("c-7").contains("欢迎 七号"));
    assertThat(kinds("c-5")).containsExactlyInAnyOrder("image", "link", "miniprogram", "file");
    stack.sim.world().customerWrites("c-6", "c-6", "六号", "text", "请问新品多少钱？", Map.of());
    TestStack.waitUntil("六号's answer heard", Duration.ofSeconds(60), () -> !stack.getObject("/customers/c-6/messages").getJsonArray("messages").isEmpty());

    // A second launch the same week: over each customer's cadence, skipped naming the first.
    stack.post("/broadcasts", launch("b-2").put("content", new JsonObject().put("kind", "text").put("text", "新品第二波")));
    TestStack.waitUntil("the second launch decided", Duration.ofSeconds(60), () -> stack.getArray("/jobs?broadcastId=b-2&state=SKIPPED").size() == 4);
    for (Object o : stack.getArray("/jobs?broadcastId=b-2")) {
      JsonObject j = (JsonObject) o;
      assertThat(j.getString("decidedBy")).isEqualTo("customer-cadence");
      assertThat(j.getString("reason")).contains("1 per 7 days").contains("broadcast:b-1:cust:" + j.getString("customerId"));
    }

    // A handover while a group's post is in flight: the send is slowed so the job is still out.
    simPut("/sim/api/accounts/acc-1/send-delay", "{\"millis\":4000}");
    simPut("/sim/api/transfer-refusals", "{\"percent\":0,\"customers\":[\"c-2\"]}");
    stack.post("/broadcasts", new JsonObject().put("id", "b-g").put("content", new JsonObject().put("text", "门店周末活动"))
        .put("target", new JsonObject().put("groupIds", new JsonArray().add("g-1"))));
    TestStack.waitUntil("the group's post in flight on acc-1's device", Duration.ofSeconds(60),
        () -> Set.of("LEASED", "RUNNING").contains(stack.getObject("/jobs/broadcast:b-g:g-1").getString("state")));
    JsonObject handover = stack.post("/accounts/acc-1/handover", new JsonObject().put("id", "ho-1").put("to", "acc-2")
        .put("groups", new JsonArray().add("g-1")).put("customers", new JsonObject().put("tag", "新品意向")).put("reason", "acc-1's phone was lost"));
    assertThat(handover.getJsonArray("groupsMoved").getList()).containsExactly("g-1");
    assertThat(handover.getJsonArray("customersMoved").getList()).containsExactlyInAnyOrder("c-1", "c-3", "c-4");
    assertThat(handover.getJsonArray("customersRefused").getList()).containsExactly("c-2");
    assertThat(handover.getJsonArray("jobsLeft").getList()).contains("broadcast:b-g:g-1");
    simPut("/sim/api/accounts/acc-1/send-delay", "{\"millis\":0}");
    TestStack.waitUntil("the in-flight post finished", Duration.ofSeconds(120),
        () -> Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(stack.getObject("/jobs/broadcast:b-g:g-1").getString("state")));

    // The unless step: skipped for 六号 who answered, sent to 七号 who did not. Its two minutes
    // since the greetings pass now: 六号's answer was heard above, before they were up.
    clock.skipTo(clock.instant().plus(Duration.ofMinutes(2)));
    TestStack.waitUntil("七号's follow-up", Duration.ofSeconds(210), () -> texts("c-7").contains("还在考虑吗？"));
    JsonObject followUp = stack.getArray("/jobs?planId=follow").stream().map(o -> (JsonObject) o)
        .filter(j -> j.getString("customerId").equals("c-6") && j.getString("id").contains(":s1:")).findFirst().orElseThrow();
    // Due with 七号's, but decided only when a device of its account claims it: as long as 七号's.
    com.wecomrpa.testing.Eventually.until("六号's follow-up decided", Duration.ofSeconds(150),
        () -> stack.getObject("/jobs/" + followUp.getString("id")), j -> "SKIPPED".equals(j.getString("state")));
    assertThat(stack.getObject("/jobs/" + followUp.getString("id")).getString("decidedBy")).isEqualTo("step-conditions");
    stack.awaitSettled();

    // The simulator's record.
    for (String c : LAUNCH) {
      assertThat(texts(c)).as(c + "'s messages").containsExactly(LAUNCH_TEXT);
    }
    assertThat(texts("c-6")).containsExactly("欢迎 六号");
    assertThat(texts("c-7")).containsExactly("欢迎 七号", "还在考虑吗？");
    List<ChatWorld.ChatMessage> posts = stack.sim.world().messagesOf("g-1").stream().filter(m -> m.mine() && m.text().equals("门店周末活动")).toList();
    assertThat(posts).as("the post in flight during the handover, sent once").hasSize(1);
    assertThat(stack.getObject("/jobs/broadcast:b-g:g-1").getString("state")).isEqualTo("SUCCEEDED");
    assertThat(stack.getObject("/groups/g-1/reachability").getString("reachability")).as("a moved group is not unreachable").isEqualTo("ok");
    assertThat(stack.sim.world().find("g-1").accountId()).isEqualTo("acc-2");
    assertThat(stack.sim.world().find("c-2").accountId()).as("who refused stays").isEqualTo("acc-1");
    assertThat(stack.sim.world().find("c-3").accountId()).isEqualTo("acc-2");
    assertThat(stack.getObject("/groups/g-1").getString("accountId")).isEqualTo("acc-2");
    assertThat(stack.getObject("/customers/c-2").getString("accountId")).isEqualTo("acc-1");
    assertThat(stack.getObject("/customers/c-3").getString("accountId")).isEqualTo("acc-2");
    assertThat(stack.sim.riskEvents()).as("no warning from the platform").isEmpty();

    // The platform restricts acc-1; its next send meets the restriction screen; from the alert, an
    // operator hands what acc-1 still holds to acc-2 in one action in the console.
    simPost("/sim/api/accounts/acc-1/restrict");
    stack.post("/broadcasts", new JsonObject().put("id", "b-last").put("content", new JsonObject().put("text", "会员日提醒"))
        .put("target", new JsonObject().put("customers", new JsonObject().put("accountIds", new JsonArray().add("acc-1")).put("tagsAny", new JsonArray().add("vip")))));
    TestStack.waitUntil("acc-1 restricted", Duration.ofSeconds(60), () -> "restricted".equals(stack.getObject("/accounts/acc-1").getString("status")));
    try (ConsoleBrowser window = ConsoleBrowser.open(dir.resolve("console-browser"))) {
      String console = stack.api.baseUrl() + "/console/";
      window.logIn(console, TestStack.ADMIN_TOKEN, "admin");
      window.driver.get(console + "#/alerts");
      window.waitFor("the alert's handover button", () -> !window.driver.findElements(org.openqa.selenium.By.cssSelector("button[data-handover='acc-1']")).isEmpty());
      window.driver.findElement(org.openqa.selenium.By.cssSelector("button[data-handover='acc-1']")).click();
      window.waitFor("the confirmation naming acc-2", () -> window.driver.findElement(org.openqa.selenium.By.id("confirm-text")).getText().contains("to acc-2"));
      window.driver.findElement(org.openqa.selenium.By.id("confirm-reason")).sendKeys("acc-1 restricted by the platform");
      window.driver.findElement(org.openqa.selenium.By.id("confirm-ok")).click();
      window.waitFor("what the handover did", () -> window.driver.findElement(org.openqa.selenium.By.id("flash")).getText()
          .contains("3 customers moved to acc-2; 1 refused and stay with acc-1"));
    }
    assertThat(List.of("c-5", "c-6", "c-7").stream().map(c -> stack.sim.world().find(c).accountId()).toList()).containsOnly("acc-2");
    assertThat(stack.sim.world().find("c-2").accountId()).isEqualTo("acc-1");
    TestStack.waitUntil("五号's reminder sent by acc-2", Duration.ofSeconds(60), () -> texts("c-5").contains("会员日提醒"));
    assertThat(stack.sim.world().messagesOf("c-5").stream().filter(m -> m.text().equals("会员日提醒")).map(ChatWorld.ChatMessage::accountId).toList())
        .containsExactly("acc-2");
    assertThat(stack.getArray("/audit").stream().map(o -> ((JsonObject) o).getString("action")).filter("account.handover"::equals).count()).isEqualTo(2);
  }

  void simPost(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.sim.baseUrl() + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " answered " + r.body()).isEqualTo(200);
  }

  private void seed() {
    var world = stack.sim.world();
    world.addAccounts(List.of(new ChatWorld.Account("acc-1", "小助手"), new ChatWorld.Account("acc-2", "接手号")));
    world.addGroups(List.of(new ChatWorld.Group("g-1", "acc-1", "门店群 1")));
    List<ChatWorld.Contact> contacts = new ArrayList<>();
    String[] names = {"一号", "二号", "三号", "四号", "五号", "六号", "七号"};
    for (int i = 1; i <= 7; i++) {
      contacts.add(new ChatWorld.Contact("c-" + i, "acc-1", names[i - 1]));
    }
    world.addContacts(contacts);

    TestStack.await(stack.api.createAccount("acc-1", "wecom", "小助手", "Asia/Shanghai"));
    TestStack.await(stack.api.createAccount("acc-2", "wecom", "接手号", "Asia/Shanghai"));
    TestStack.await(stack.api.createGroups(new JsonArray().add(new JsonObject().put("id", "g-1").put("name", "门店群 1").put("accountId", "acc-1"))));
    stack.put("/accounts/acc-1/listening", new JsonObject().put("intervalSeconds", 1).put("budgetSeconds", 5));
    stack.put("/channel-codes/launch", new JsonObject().put("accountId", "acc-1").put("source", "expo").put("tags", new JsonArray().add("新品意向")));
    stack.put("/channel-codes/vip", new JsonObject().put("accountId", "acc-1").put("source", "vip-desk").put("tags", new JsonArray().add("vip")));
    JsonArray events = new JsonArray();
    for (int i = 1; i <= 5; i++) {
      events.add(new JsonObject().put("id", "e-" + i).put("type", "customer_added").put("accountId", "acc-1").put("customerId", "c-" + i)
          .put("nickname", names[i - 1]).put("channelCode", i == 5 ? "vip" : "launch"));
    }
    stack.post("/events", new JsonObject().put("events", events));
    // The tag in the path percent-encoded, as the console and curl users send it.
    stack.put("/limits/customer-tags/" + java.net.URLEncoder.encode("新品意向", java.nio.charset.StandardCharsets.UTF_8),
        new JsonObject().put("values", new JsonObject().put("customerCadence", "1/7d")).put("reason", "a launch once a week"));
    assertThat(stack.getObject("/limits").getJsonObject("customerTags").getJsonObject("新品意向").getString("customerCadence")).isEqualTo("1/7d");
    stack.post("/plans", new JsonObject().put("id", "follow").put("name", "follow up").put("kind", "customer")
        .put("trigger", new JsonObject().put("event", "friend_added"))
        .put("steps", new JsonArray()
            .add(new JsonObject().put("offset", "+0m").put("content", new JsonObject().put("kind", "text").put("text", "欢迎 {nickname}")))
            // Two minutes: 六号's answer must be heard before this is due, and on a loaded host the
            // greetings and the listen that hears the answer take most of one.
            .add(new JsonObject().put("offset", "+2m").put("unless", new JsonArray().add("replied"))
                .put("content", new JsonObject().put("kind", "text").put("text", "还在考虑吗？")))));
  }

  static JsonObject launch(String id) {
    return new JsonObject().put("id", id).put("content", new JsonObject().put("kind", "text").put("text", LAUNCH_TEXT))
        .put("target", new JsonObject().put("customers", new JsonObject().put("tagsAll", new JsonArray().add("新品意向"))));
  }

  static JsonObject rich(String id, JsonObject content) {
    return new JsonObject().put("id", id).put("content", content)
        .put("target", new JsonObject().put("customers", new JsonObject().put("tagsAll", new JsonArray().add("vip"))));
  }

  /** What the account sent into a customer's chat, as the simulator recorded it. */
  List<String> texts(String conversation) {
    return stack.sim.world().messagesOf(conversation).stream().filter(ChatWorld.ChatMessage::mine).map(ChatWorld.ChatMessage::text).toList();
  }

  List<String> kinds(String conversation) {
    return stack.sim.world().messagesOf(conversation).stream().filter(ChatWorld.ChatMessage::mine).map(ChatWorld.ChatMessage::kind).toList();
  }

  void simPut(String path, String json) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.sim.baseUrl() + path)).header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " answered " + r.body()).isEqualTo(200);
  }
}
