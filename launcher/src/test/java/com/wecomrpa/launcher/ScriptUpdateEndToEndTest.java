package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.agent.driver.DeviceDrivers;
import com.wecomrpa.agent.flow.FlowInterpreter;
import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.script.ScriptSet;
import com.wecomrpa.script.ScriptSetLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Script sets reaching devices: an update rolled out from the controller, and reading a chat back. */
class ScriptUpdateEndToEndTest {
  static final Path SIM_SCRIPTS = Path.of("..", "scripts", "wecom-sim");
  @TempDir Path dir;
  TestStack stack;

  @AfterEach
  void stop() {
    stack.close();
  }

  /** The shipped simulator scripts as an upload, under another version. */
  static JsonObject shippedScriptsAs(String version) throws IOException {
    JsonObject files = new JsonObject();
    try (Stream<Path> all = Files.walk(SIM_SCRIPTS)) {
      for (Path p : all.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        String text = Files.readString(p);
        String name = SIM_SCRIPTS.relativize(p).toString().replace('\\', '/');
        files.put(name, name.equals("script-set.yaml") ? text.replaceFirst("(?m)^version: .*$", "version: \"" + version + "\"") : text);
      }
    }
    return new JsonObject().put("files", files);
  }

  String scriptVersionOf(String jobId) {
    JsonArray executions = stack.getArray("/jobs/" + jobId + "/executions");
    return executions.getJsonObject(executions.size() - 1).getString("scriptVersion");
  }

  @Test
  void aScriptUpdateReachesTheAgentBetweenJobsAndEachExecutionSaysWhichVersionRanIt() throws IOException {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.oneAccountWithGroups("一号群", "二号群");
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    String own = "wecom-sim@" + ScriptSetLoader.load(SIM_SCRIPTS).version();

    TestStack.await(stack.api.broadcastToGroups("b-1", "旧脚本发的", new JsonArray().add("g-1")));
    TestStack.waitUntil("the first job succeeds", Duration.ofSeconds(30),
        () -> "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-1:g-1").getString("state")));
    assertThat(scriptVersionOf("broadcast:b-1:g-1")).isEqualTo(own);

    stack.post("/scripts", shippedScriptsAs("2099.1.1"));
    stack.put("/scripts/wecom-sim/rollout", new JsonObject().put("stable", "2099.1.1").put("reason", "roll out to all"));
    assertThat(stack.getArray("/devices").getJsonObject(0).getString("scripts")).isEqualTo("wecom-sim@2099.1.1");

    TestStack.await(stack.api.broadcastToGroups("b-2", "新脚本发的", new JsonArray().add("g-2")));
    TestStack.waitUntil("the second job succeeds", Duration.ofSeconds(30),
        () -> "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-2:g-2").getString("state")));

    assertThat(scriptVersionOf("broadcast:b-2:g-2")).isEqualTo("wecom-sim@2099.1.1");
    assertThat(stack.sim.world().messagesOf("g-1")).hasSize(1);
    assertThat(stack.sim.world().messagesOf("g-2")).hasSize(1);
  }

  @ParameterizedTest(name = "through {0}")
  @ValueSource(strings = {"selenium", "appium"})
  void theReadMessagesFlowReadsTheLastMessagesOfAChatOldestFirst(String driver) {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.oneAccountWithGroups("读消息群");
    for (String text : List.of("第一条", "第二条", "第三条", "第四条")) {
      stack.sim.world().receive("acc-1", "g-1", "text", text);
    }
    ScriptSet scripts = ScriptSetLoader.load(SIM_SCRIPTS);
    FlowInterpreter interpreter = new FlowInterpreter(scripts);
    var device = stack.device("dev-1", "acc-1", driver);
    java.net.URL appium = driver.equals("appium") ? stack.appium() : null;
    try (UiDriver ui = new DeviceDrivers(TestStack.CHROMIUM, dir.resolve("try"), appium).start(device)) {
      FlowResult login = interpreter.run(scripts.flow("login").orElseThrow(), Map.of("client_url", stack.sim.baseUrl(), "account_id", "acc-1"), ui);
      assertThat(login.outcome()).isEqualTo(Outcome.SUCCEEDED);

      FlowResult read = interpreter.run(scripts.flow("read_messages").orElseThrow(), new TreeMap<>(Map.of("group_name", "读消息群", "count", "3")), ui);

      assertThat(read.outcome()).as(read.error()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(read.values().get("messages")).isEqualTo("第二条\n第三条\n第四条");
    }
  }
}
