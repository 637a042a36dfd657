package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A device's life: its browser dies between jobs; its agent is stopped in the middle of a job. */
class DeviceRecoveryEndToEndTest {
  @TempDir Path dir;
  TestStack stack;

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void aStoppingAgentFinishesItsRunningJobAndTakesNoMoreWhileTheRestWaitForAnother() {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.sim.world().addAccounts(List.of(new ChatWorld.Account("acc-1", "Bot")));
    JsonArray groups = new JsonArray();
    for (int i = 1; i <= 3; i++) {
      stack.sim.world().addGroups(List.of(new ChatWorld.Group("g-" + i, "acc-1", "群" + i)));
      groups.add(new JsonObject().put("id", "g-" + i).put("name", "群" + i).put("accountId", "acc-1").put("tags", new JsonArray().add("all")));
    }
    TestStack.await(stack.api.createAccount("acc-1", "wecom", "Bot", "Asia/Shanghai"));
    TestStack.await(stack.api.createGroups(groups));
    com.wecomrpa.agent.Agent first = stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    stack.sim.setExtraSendDelay("acc-1", 2000);
    TestStack.await(stack.api.broadcastToTag("b-1", "排队消息", "all"));
    TestStack.waitUntil("a send is running", Duration.ofSeconds(30),
        () -> stack.getArray("/jobs?broadcastId=b-1&state=RUNNING").size() == 1);

    TestStack.await(first.stop()); // what SIGTERM runs
    stack.forget(first);

    assertThat(stack.getArray("/jobs?broadcastId=b-1&state=SUCCEEDED")).hasSize(1);
    JsonArray waiting = stack.getArray("/jobs?broadcastId=b-1&state=QUEUED");
    assertThat(waiting).hasSize(2);
    assertThat(waiting.stream().map(j -> ((JsonObject) j).getInteger("attempts"))).containsOnly(0);
    assertThat(stack.getArray("/devices")).isEmpty();

    stack.sim.setExtraSendDelay("acc-1", 0);
    stack.startAgent("agent-2", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    TestStack.waitUntil("the others sent by the next agent", Duration.ofSeconds(60),
        () -> stack.getArray("/jobs?broadcastId=b-1&state=SUCCEEDED").size() == 3);
    for (int i = 1; i <= 3; i++) {
      assertThat(stack.sim.world().messagesOf("g-" + i)).hasSize(1);
    }
  }

  @Test
  void aBrowserKilledUnderADeviceRecoversForTheNextJob() {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.oneAccountWithGroups("一号群", "二号群");
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    TestStack.await(stack.api.broadcastToGroups("b-1", "第一条", new JsonArray().add("g-1")));
    TestStack.waitUntil("the first job succeeds", Duration.ofSeconds(30),
        () -> "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-1:g-1").getString("state")));

    // Kill the device's Chromium, as a crash or an OOM killer would.
    String profile = dir.resolve("agent-1").resolve("dev-1").resolve("profile").toString();
    List<ProcessHandle> browser = ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains("chromium") && c.contains(profile)).orElse(false)).toList();
    assertThat(browser).isNotEmpty();
    browser.forEach(ProcessHandle::destroyForcibly);
    // Killed: they stay zombies until chromedriver reaps them.
    TestStack.waitUntil("the browser's processes are dead", Duration.ofSeconds(10), () -> browser.stream().allMatch(TestStack::dead));

    TestStack.await(stack.api.broadcastToGroups("b-2", "第二条", new JsonArray().add("g-2")));

    TestStack.waitUntil("the next job succeeds on a fresh session", Duration.ofSeconds(60),
        () -> "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-2:g-2").getString("state")));
    assertThat(stack.sim.world().messagesOf("g-2")).extracting(ChatWorld.ChatMessage::text).containsExactly("第二条");
    // The job may come before the device has noticed its browser is gone: that attempt lands on
    // the dead session (the device's fault), the next runs on a fresh one; never more than that.
    JsonArray executions = stack.getArray("/jobs/broadcast:b-2:g-2/executions");
    assertThat(executions.size()).isBetween(1, 2);
    assertThat(executions.getJsonObject(executions.size() - 1).getString("outcome")).isEqualTo("SUCCEEDED");
    if (executions.size() == 2) {
      assertThat(executions.getJsonObject(0).getString("error")).as("what the first attempt met").containsIgnoringCase("session");
    }
  }

  @Test
  void aDeviceFailingJobAfterJobGoesUnhealthyGetsNothingAndComesBackOnceItsAgentRepairsIt() {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o.withUnhealthyAfter(3).withMaxAttempts(6));
    stack.oneAccountWithGroups("一号群", "二号群");
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));

    // The app is stuck on a dead connection: screens up, every request failing.
    stack.sim.setClientDown("acc-1", true);
    TestStack.await(stack.api.broadcastToGroups("b-1", "恢复后再发", new JsonArray().add("g-1").add("g-2")));
    TestStack.waitUntil("the device is unhealthy", Duration.ofSeconds(60),
        () -> "unhealthy".equals(stack.getArray("/devices").getJsonObject(0).getString("state")));

    JsonObject device = stack.getArray("/devices").getJsonObject(0);
    assertThat(device.getString("problem")).contains("3 jobs failed in a row");
    assertThat(stack.getArray("/alerts").stream().map(a -> ((JsonObject) a).getString("kind"))).contains("device:unhealthy");
    int tried = executions();
    stack.awaitSweeps(6); // six dispatch passes, each of which would have offered it a job
    assertThat(executions()).as("no offers while unhealthy").isEqualTo(tried);

    stack.sim.setClientDown("acc-1", false);
    TestStack.waitUntil("both sent after the repair", Duration.ofSeconds(90),
        () -> stack.getArray("/jobs?broadcastId=b-1&state=SUCCEEDED").size() == 2);
    assertThat(stack.getArray("/devices").getJsonObject(0).getString("health")).isEqualTo("healthy");
    assertThat(stack.sim.world().messagesOf("g-1")).hasSize(1);
    assertThat(stack.sim.world().messagesOf("g-2")).hasSize(1);
  }

  int executions() {
    int n = 0;
    for (Object j : stack.getArray("/jobs?broadcastId=b-1")) {
      n += stack.getArray("/jobs/" + ((JsonObject) j).getString("id") + "/executions").size();
    }
    return n;
  }
}
