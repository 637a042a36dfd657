package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product on loopback: a clustered controller (one Hazelcast member), an agent driving
 * real headless Chromium, and the simulator, whose own record is the only evidence of delivery.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BroadcastEndToEndTest {
  @TempDir static Path dir;
  TestStack stack;
  ControllerClient api;
  ChatWorld world;

  /** Noon today in Shanghai, so "the same day" cannot straddle midnight while the test runs. */
  static Clock middayInShanghai() {
    ZoneId z = ZoneId.of("Asia/Shanghai");
    Instant noon = LocalDate.now(z).atTime(12, 0).atZone(z).toInstant();
    return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
  }

  @BeforeAll
  void startStack() {
    // Leases long enough that a host too busy to heartbeat for a few seconds does not end a running
    // send (6 s), short enough that a killed agent's job is settled within the test's wait.
    stack = TestStack.start(dir, middayInShanghai(), true, o -> o.withLeases(Duration.ofSeconds(6), Duration.ofMillis(500)).withMaxAttempts(1));
    api = stack.api;
    world = stack.sim.world();
    world.addAccounts(List.of(new ChatWorld.Account("acc-1", "Bot 1"), new ChatWorld.Account("acc-2", "Bot 2"), new ChatWorld.Account("acc-3", "Bot 3")));
    JsonArray groups = new JsonArray();
    List<ChatWorld.Group> simGroups = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      String account = i % 2 == 0 ? "acc-2" : "acc-1";
      groups.add(group("e2e-" + i, "客户群 " + i, account, "e2e"));
      simGroups.add(new ChatWorld.Group("e2e-" + i, account, "客户群 " + i));
    }
    groups.add(group("solo", "会员福利群", "acc-1", "solo"));
    simGroups.add(new ChatWorld.Group("solo", "acc-1", "会员福利群"));
    // Known to the controller but missing from the client: its send must fail at search.
    groups.add(group("ghost", "不存在的群", "acc-2", "ghost"));
    groups.add(group("slow", "慢速群", "acc-3", "slow"));
    simGroups.add(new ChatWorld.Group("slow", "acc-3", "慢速群"));
    world.addGroups(simGroups);
    for (String a : List.of("acc-1", "acc-2", "acc-3")) {
      await(api.createAccount(a, "wecom", "Bot " + a, "Asia/Shanghai"));
    }
    await(api.createGroups(groups));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1"), stack.device("dev-2", "acc-2")));
  }

  @AfterAll
  void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  static JsonObject group(String id, String name, String account, String tag) {
    return new JsonObject().put("id", id).put("name", name).put("accountId", account).put("tags", new JsonArray().add(tag));
  }

  JsonObject getObject(String path) {
    return stack.getObject(path);
  }

  JsonObject awaitObject(String path, Predicate<JsonObject> done, Duration timeout) {
    return Eventually.settle(timeout, () -> getObject(path), done);
  }


  @Test
  void aBroadcastToFiftyGroupsOverTwoAccountsArrivesExactlyOnceInEach() {
    await(api.broadcastToTag("fifty", "本周会员日：全场满199减30", "e2e"));

    // As long as sends keep arriving (a slow or busy host sends slower), within ten minutes in all.
    JsonObject b = Eventually.settleWhileMoving(Duration.ofSeconds(90), Duration.ofMinutes(10), () -> getObject("/broadcasts/fifty"),
        o -> o.getJsonObject("progress").encode(), TestStack::settled);

    assertThat(b.getJsonObject("progress").getInteger("SUCCEEDED")).isEqualTo(50);
    for (int i = 1; i <= 50; i++) {
      List<ChatWorld.ChatMessage> got = world.messagesOf("e2e-" + i);
      assertThat(got).as("messages in e2e-%d", i).hasSize(1);
      assertThat(got.get(0).text()).isEqualTo("本周会员日：全场满199减30");
      assertThat(got.get(0).accountId()).isEqualTo(i % 2 == 0 ? "acc-2" : "acc-1");
    }
  }

  @Test
  void theFourthPostOfTheDayToAGroupIsSkippedAndTheSimulatorShowsThree() {
    for (int i = 1; i <= 4; i++) {
      await(api.broadcastToGroups("solo-" + i, "福利第" + i + "弹", new JsonArray().add("solo")));
      awaitObject("/broadcasts/solo-" + i, TestStack::settled, Duration.ofMinutes(1));
    }

    JsonObject fourth = getObject("/jobs/broadcast:solo-4:solo");

    assertThat(fourth.getString("state")).isEqualTo("SKIPPED");
    assertThat(fourth.getString("reason")).startsWith("quota:group-daily; 3 posts on ").endsWith(" won by solo-1, solo-2, solo-3");
    assertThat(fourth.getString("decidedBy")).isEqualTo("group-daily-cap");
    assertThat(world.messagesOf("solo")).extracting(ChatWorld.ChatMessage::text).containsExactly("福利第1弹", "福利第2弹", "福利第3弹");
  }

  @Test
  void aFailedStepIsReportedWithItsNameAndAScreenshot() {
    // The controller knows a group the client does not show: the group's problem, held after one try.
    await(api.broadcastToGroups("to-ghost", "hello", new JsonArray().add("ghost")));
    awaitObject("/groups/ghost/reachability", g -> "unreachable".equals(g.getString("reachability")), Duration.ofMinutes(1));

    JsonObject job = getObject("/jobs/broadcast:to-ghost:ghost");
    JsonArray executions = await(api.get("/jobs/broadcast:to-ghost:ghost/executions")).bodyAsJsonArray();

    assertThat(job.getString("state")).isEqualTo("QUEUED");
    assertThat(job.getString("reason")).startsWith("held: group ghost unreachable");
    assertThat(job.getString("decidedBy")).as("what holds it, in a column").isEqualTo("group-reachability");
    assertThat(executions).hasSize(1);
    JsonObject e = executions.getJsonObject(0);
    assertThat(e.getString("failedStep")).isEqualTo("group-not-found");
    assertThat(e.getString("deviceId")).isEqualTo("dev-2");
    assertThat(e.getString("error")).contains("target not found");
    var shot = await(api.get(e.getString("screenshot").substring("/api/v1".length())));
    assertThat(shot.statusCode()).isEqualTo(200);
    assertThat(shot.getHeader("content-type")).isEqualTo("image/png");
    assertThat(shot.body().getBytes(0, 4)).containsExactly(0x89, 'P', 'N', 'G');
    assertThat(world.messagesOf("e2e-2").stream().filter(m -> m.text().equals("hello"))).isEmpty();
  }

  @Test
  void anAgentWithAWrongTokenIsRefused() {
    assertThatThrownBy(() -> stack.startAgent("intruder", "wrong-token", List.of(stack.device("dev-x", "acc-3"))))
        .hasMessageContaining("invalid agent token");
    JsonArray devices = await(api.get("/devices")).bodyAsJsonArray();
    assertThat(devices.stream().map(d -> ((JsonObject) d).getString("deviceId"))).doesNotContain("dev-x");
  }

  @Test
  void anAgentKilledDuringASendLeavesTheJobUnknownNeverSucceeded() {
    Agent doomed = stack.startAgent("agent-2", TestStack.TOKEN, List.of(stack.device("dev-3", "acc-3")));
    stack.sim.setExtraSendDelay("acc-3", 3000);
    await(api.broadcastToGroups("slow-1", "这条消息发送中断", new JsonArray().add("slow")));
    awaitObject("/jobs/broadcast:slow-1:slow", j -> "RUNNING".equals(j.getString("state")), Duration.ofSeconds(30));
    // Inside the send: the button is pressed, the server has the request and has not answered.
    TestStack.waitUntil("the send is on its way to the simulator", Duration.ofSeconds(30), () -> stack.sim.sendsInFlight("acc-3") > 0);

    await(doomed.kill());
    stack.forget(doomed);

    JsonObject job = awaitObject("/jobs/broadcast:slow-1:slow", j -> Set.of("UNKNOWN", "QUEUED", "SUCCEEDED").contains(j.getString("state")), Duration.ofSeconds(30));
    assertThat(job.getString("state")).isIn("UNKNOWN", "QUEUED").isNotEqualTo("SUCCEEDED");
    // The simulator may still record the in-flight message: once it has, and the lease sweeps have
    // looked twice more, the job must not have flipped.
    TestStack.waitUntil("the in-flight send landed", Duration.ofSeconds(30), () -> stack.sim.sendsInFlight("acc-3") == 0);
    stack.awaitSweeps(2);
    assertThat(getObject("/jobs/broadcast:slow-1:slow").getString("state")).isEqualTo(job.getString("state"));
    assertThat(world.messagesOf("slow")).hasSizeLessThanOrEqualTo(1);
  }

  static <T> T await(Future<T> f) {
    return TestStack.await(f);
  }
}
