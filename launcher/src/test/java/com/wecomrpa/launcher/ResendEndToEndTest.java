package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent dies in the middle of a send; its job becomes UNKNOWN and the next agent on that account
 * reads the chat before sending. Whether or not the lost attempt got through, the group ends with
 * exactly one message.
 */
class ResendEndToEndTest {
  static final String JOB = "broadcast:b-1:g-1";
  @TempDir Path dir;
  TestStack stack;

  @BeforeEach
  void start(TestInfo test) {
    // The outbox test needs leases that outlast a controller restart (its late report is then
    // still current); the others want a lost lease to run out quickly.
    boolean outlastRestart = test.getTestMethod().orElseThrow().getName().startsWith("aReportWritten");
    stack = TestStack.start(dir, Clock.systemUTC(), false,
        o -> outlastRestart ? o.withLeases(Duration.ofSeconds(30), Duration.ofSeconds(1)) : o);
    stack.sim.world().addAccounts(List.of(new ChatWorld.Account("acc-1", "Bot")));
    stack.sim.world().addGroups(List.of(new ChatWorld.Group("g-1", "acc-1", "会员群")));
    TestStack.await(stack.api.createAccount("acc-1", "wecom", "Bot", "Asia/Shanghai"));
    TestStack.await(stack.api.createGroups(new JsonArray().add(new JsonObject().put("id", "g-1").put("name", "会员群").put("accountId", "acc-1"))));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  /** Starts a send, and kills its agent after send was pressed and before the reply came. */
  void killMidSend() {
    Agent doomed = stack.startAgent("agent-a", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    TestStack.await(stack.api.broadcastToGroups("b-1", "今晚八点开抢", new JsonArray().add("g-1")));
    int asked = stack.sim.sendsAsked("acc-1");
    TestStack.waitUntil("the send is running", Duration.ofSeconds(30), () -> "RUNNING".equals(stack.getObject("/jobs/" + JOB).getString("state")));
    TestStack.waitUntil("send was pressed: the simulator has the request", Duration.ofSeconds(30), () -> stack.sim.sendsAsked("acc-1") > asked);
    TestStack.await(doomed.kill());
    stack.forget(doomed);
    TestStack.waitUntil("the job is UNKNOWN", Duration.ofSeconds(15), () -> "UNKNOWN".equals(stack.getObject("/jobs/" + JOB).getString("state")));
  }

  void replacementAgentFinishes() {
    stack.startAgent("agent-b", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    TestStack.waitUntil("the job succeeds", Duration.ofSeconds(60), () -> "SUCCEEDED".equals(stack.getObject("/jobs/" + JOB).getString("state")));
    // A second send, if one had been made, has landed by the time nothing is in flight and the sweeps looked again.
    TestStack.waitUntil("no send in flight", Duration.ofSeconds(30), () -> stack.sim.sendsInFlight("acc-1") == 0);
    stack.awaitSweeps(2);
  }

  @Test
  void whenTheLostAttemptGotThroughTheNextAgentFindsItAndDoesNotSendAgain() {
    stack.sim.setExtraSendDelay("acc-1", 3000); // the server has it 3 s after send was pressed

    killMidSend();
    stack.sim.setExtraSendDelay("acc-1", 0);
    replacementAgentFinishes();

    assertThat(stack.sim.world().messagesOf("g-1")).extracting(ChatWorld.ChatMessage::text).containsExactly("今晚八点开抢");
    JsonArray executions = stack.getArray("/jobs/" + JOB + "/executions");
    JsonObject last = executions.getJsonObject(executions.size() - 1);
    assertThat(last.getString("outcome")).isEqualTo("SUCCEEDED");
    assertThat(last.getString("evidence")).startsWith("verified before resend");
  }

  @Test
  void aReportWrittenWhileTheControllerWasDownIsDeliveredFromDiskByTheRestartedAgent() {
    Agent first = stack.startAgent("agent-a", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    stack.sim.setExtraSendDelay("acc-1", 2000);
    TestStack.await(stack.api.broadcastToGroups("b-1", "今晚八点开抢", new JsonArray().add("g-1")));
    TestStack.waitUntil("the send is running", Duration.ofSeconds(30), () -> "RUNNING".equals(stack.getObject("/jobs/" + JOB).getString("state")));

    stack.stopController();
    Path outbox = dir.resolve("agent-a").resolve("outbox");
    TestStack.waitUntil("the report is on disk", Duration.ofSeconds(30), () -> outboxFiles(outbox) == 1);
    TestStack.await(first.kill());
    stack.forget(first);
    stack.startController();
    stack.startAgent("agent-a", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));

    TestStack.waitUntil("the job succeeded from the saved report", Duration.ofSeconds(30), () -> "SUCCEEDED".equals(stack.getObject("/jobs/" + JOB).getString("state")));
    assertThat(stack.getArray("/jobs/" + JOB + "/executions")).hasSize(1);
    assertThat(stack.sim.world().messagesOf("g-1")).hasSize(1);
    TestStack.waitUntil("the acknowledged report is gone from disk", Duration.ofSeconds(10), () -> outboxFiles(outbox) == 0);
  }

  static long outboxFiles(Path outbox) {
    try (var files = java.nio.file.Files.list(outbox)) {
      return files.filter(p -> p.toString().endsWith(".json")).count();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  @Test
  void whenTheLostAttemptNeverArrivedTheNextAgentSendsItOnce() {
    stack.sim.setLosingSends("acc-1", true);

    killMidSend();
    stack.sim.setLosingSends("acc-1", false);
    replacementAgentFinishes();

    assertThat(stack.sim.world().messagesOf("g-1")).extracting(ChatWorld.ChatMessage::text).containsExactly("今晚八点开抢");
    JsonArray executions = stack.getArray("/jobs/" + JOB + "/executions");
    assertThat(executions.getJsonObject(executions.size() - 1).getString("evidence")).isNull();
  }
}
