package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as ops run it: its own JVM, started with the command line, killed with SIGKILL in the
 * middle of a send and started again on the same work folder.
 */
class AgentProcessEndToEndTest {
  static final String JOB = "broadcast:b-1:g-1";
  @TempDir Path dir;
  TestStack stack;
  final List<Process> agents = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : agents) {
      p.destroy();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
    stack.close();
  }

  Process startAgentProcess(String agentId) throws IOException {
    return startAgentProcess(agentId, false);
  }

  /** An agent process; without its orphan guard, what its own restart cleans up can be seen. */
  Process startAgentProcess(String agentId, boolean orphanGuard) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Dwecom-rpa.orphan-guard=" + orphanGuard, "-cp", System.getProperty("java.class.path"), "com.wecomrpa.launcher.Main", "agent",
            "--controller", stack.controllerWs(), "--token", TestStack.TOKEN, "--agent-id", agentId,
            "--device", "id=dev-1,account=acc-1,url=" + stack.sim.baseUrl(),
            "--scripts", Path.of("..", "scripts").toString(), "--work", dir.resolve("agent-work").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(agentId + ".log").toFile()))
        .start();
    agents.add(p);
    return p;
  }

  /** Chromium and chromedriver processes started for this test's device. */
  List<ProcessHandle> browserProcessesOfTheDevice() {
    String home = dir.resolve("agent-work").resolve("dev-1").toAbsolutePath().normalize() + "/";
    return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(home)).orElse(false)).toList();
  }

  @Test
  void killedWithSigkillMidSendAndRestartedTheJobEndsSucceededOnceWithOneMessageInTheGroup() throws Exception {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.oneAccountWithGroups("会员群");
    stack.sim.setExtraSendDelay("acc-1", 3000); // the server has it 3 s after send was pressed

    Process first = startAgentProcess("agent-p");
    TestStack.waitUntil("the agent process connects", Duration.ofSeconds(90), () -> stack.getArray("/devices").size() == 1);
    TestStack.await(stack.api.broadcastToGroups("b-1", "今晚八点开抢", new JsonArray().add("g-1")));
    int asked = stack.sim.sendsAsked("acc-1");
    TestStack.waitUntil("the send is running", Duration.ofSeconds(30), () -> "RUNNING".equals(stack.getObject("/jobs/" + JOB).getString("state")));
    TestStack.waitUntil("send was pressed: the simulator has the request", Duration.ofSeconds(30), () -> stack.sim.sendsAsked("acc-1") > asked);

    first.destroyForcibly(); // SIGKILL: no drain, no report, no goodbye
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.exitValue()).isEqualTo(137);
    agents.remove(first);
    List<ProcessHandle> orphans = browserProcessesOfTheDevice();
    assertThat(orphans).as("a killed agent leaves its browser behind").isNotEmpty();
    stack.sim.setExtraSendDelay("acc-1", 0);

    startAgentProcess("agent-p");
    TestStack.waitUntil("the job succeeds", Duration.ofSeconds(120), () -> "SUCCEEDED".equals(stack.getObject("/jobs/" + JOB).getString("state")));
    TestStack.waitUntil("no send in flight", Duration.ofSeconds(30), () -> stack.sim.sendsInFlight("acc-1") == 0);
    stack.awaitSweeps(2);

    assertThat(stack.sim.world().messagesOf("g-1")).extracting(ChatWorld.ChatMessage::text).containsExactly("今晚八点开抢");
    JsonArray executions = stack.getArray("/jobs/" + JOB + "/executions");
    assertThat(executions.stream().filter(e -> "SUCCEEDED".equals(((JsonObject) e).getString("outcome")))).hasSize(1);
    assertThat(orphans).as("the restarted agent ended the browser its killed predecessor left").noneMatch(ProcessHandle::isAlive);
    assertThat(browserProcessesOfTheDevice()).as("and runs its own").isNotEmpty();
  }

  @Test
  void anAgentKilledWithSigkillTakesItsBrowsersWithItWithinSeconds() throws Exception {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.oneAccountWithGroups("会员群");
    Process agent = startAgentProcess("agent-g", true);
    TestStack.waitUntil("the agent process connects", Duration.ofSeconds(90), () -> stack.getArray("/devices").size() == 1);
    TestStack.waitUntil("its browser runs", Duration.ofSeconds(60), () -> !browserProcessesOfTheDevice().isEmpty());
    List<ProcessHandle> browser = browserProcessesOfTheDevice();

    agent.destroyForcibly(); // SIGKILL: the agent itself cleans up nothing
    assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    agents.remove(agent);
    // Its orphan guard saw it go and ended what ran below it: it looks every second, gives the
    // browser 3 s to close, then kills; reading /proc takes longer on a host busy with other work.
    TestStack.waitUntil("the killed agent's browser is gone", Duration.ofSeconds(20), () -> browser.stream().allMatch(TestStack::dead));
  }
}
