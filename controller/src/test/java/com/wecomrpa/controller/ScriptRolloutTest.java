package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.protocol.AgentScriptRequest;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerScriptBundle;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.DeviceInfo;
import com.wecomrpa.protocol.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Script sets served by the controller: checked at upload, rolled out by share, routed by client version. */
class ScriptRolloutTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String LOCATORS = "composer:\n  - css: \"#composer\"\nsend_button:\n  - css: \"#send\"\n";
  static final String FLOW = "action: send_group_text\nparams: [group_name, text]\nsteps:\n  - type: composer\n    text: \"${text}\"\n  - tap: send_button\n    commits: true\n";
  @TempDir Path dir;
  RunningController controller;
  final List<ProtocolAgent> agents = new ArrayList<>();

  static String upload(String version, String supports, String flow) throws Exception {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("script-set.yaml", "client: wecom-sim\nversion: \"" + version + "\"\nsupports: [" + supports + "]\n");
    files.put("locators.yaml", LOCATORS);
    files.put("flows/send_group_text.yaml", flow);
    return JSON.writeValueAsString(Map.of("files", files));
  }

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, Fixtures.middayInShanghai(), o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store"));
  }

  @AfterEach
  void stop() {
    agents.forEach(ProtocolAgent::close);
    controller.close();
  }

  ProtocolAgent agent(DeviceInfo device) {
    ProtocolAgent a = ProtocolAgent.connect(controller.agentUri(), "agent-" + agents.size(), RunningController.AGENT_TOKEN, device);
    agents.add(a);
    a.next(ControllerWelcome.class, 30_000);
    return a;
  }

  @Test
  void aScriptThatDoesNotParseIsRefusedWithItsFileAndLineAndNothingIsStored() throws Exception {
    var r = controller.post("/scripts", upload("2", "\"sim-1\"", FLOW.replace("tap: send_button", "tap: send_buton")));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().get("error").asText()).isEqualTo("flows/send_group_text.yaml:6: unknown locator 'send_buton' (not in locators.yaml)");
    assertThat(r.body().get("field").asText()).isEqualTo("files.flows/send_group_text.yaml");
    assertThat(controller.get("/scripts").body().size()).isZero();
  }

  @Test
  void versionsAreImmutableAndTheSameUploadTwiceIsHarmless() throws Exception {
    assertThat(controller.post("/scripts", upload("2", "\"sim-1\"", FLOW)).status()).isEqualTo(201);
    assertThat(controller.post("/scripts", upload("2", "\"sim-1\"", FLOW)).status()).isEqualTo(201);

    var changed = controller.post("/scripts", upload("2", "\"sim-1\", \"sim-2\"", FLOW));

    assertThat(changed.status()).isEqualTo(409);
    assertThat(changed.body().get("error").asText()).contains("already uploaded with other content");
    assertThat(controller.put("/scripts/wecom-sim/rollout", "{\"stable\":\"9\"}").status()).isEqualTo(404);
  }

  @Test
  void aCanaryRunsOnItsDevicesOnlyItsFailuresAreCountedByVersionAndRollbackSendsThemBack() throws Exception {
    controller.post("/scripts", upload("2", "\"sim-1\"", FLOW));
    ProtocolAgent a = agent(new DeviceInfo("dev-1", "acc-1", "wecom-sim", "sim-1", "selenium", "wecom-sim@1"));
    assertThat(controller.put("/scripts/wecom-sim/rollout", "{\"canary\":\"2\",\"percent\":0,\"devices\":[\"dev-1\"],\"reason\":\"new send button\"}").status())
        .isEqualTo(200);
    controller.await("/devices", d -> d.get(0).get("scripts").asText().equals("wecom-sim@2"), java.time.Duration.ofSeconds(5));

    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    ControllerJobOffer first = a.next(ControllerJobOffer.class, 30_000);
    assertThat(first.scriptVersion()).isEqualTo("2");
    a.send(new AgentScriptRequest("wecom-sim", "2"));
    ControllerScriptBundle bundle = a.next(ControllerScriptBundle.class, 30_000);
    assertThat(bundle.error()).isNull();
    assertThat(bundle.files()).containsKeys("script-set.yaml", "locators.yaml", "flows/send_group_text.yaml");
    assertThat(controller.post("/scripts/wecom-sim/rollback", "{\"reason\":\"fails on dev-1\"}").status()).isEqualTo(200);
    a.send(Fixtures.aFailureOnVersion(Fixtures.aReport(first, Outcome.FAILED), "wecom-sim@2"));
    a.next(ControllerReportAck.class, 30_000);

    JsonNode v2 = version(controller.get("/scripts/wecom-sim").body(), "2");
    assertThat(v2.get("outcomes").get("FAILED").asLong()).isEqualTo(1);
    ControllerJobOffer retry = a.next(ControllerJobOffer.class, 30_000);
    assertThat(retry.jobId()).isEqualTo(first.jobId());
    assertThat(retry.scriptVersion()).as("back on the agent's own scripts").isNull();
    assertThat(controller.get("/audit").body().findValuesAsText("action")).contains("script.upload", "script.rollout", "script.rollback");
  }

  @Test
  void aDeviceOnAClientVersionNoScriptSupportsGetsNothingUntilOneDoes() throws Exception {
    ProtocolAgent a = agent(new DeviceInfo("dev-1", "acc-1", "wecom-sim", "sim-9", "selenium", null));
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));

    JsonNode device = controller.get("/devices").body().get(0);
    assertThat(device.get("state").asText()).isEqualTo("unsupported");
    assertThat(device.get("problem").asText()).contains("wecom-sim sim-9 is not supported");
    controller.awaitDispatchPasses();
    a.expectNothing(ControllerJobOffer.class, 200);
    assertThat(controller.get("/alerts").body().findValuesAsText("kind")).contains("device:unsupported");

    controller.post("/scripts", upload("3", "\"sim-1\", \"sim-9\"", FLOW));
    controller.put("/scripts/wecom-sim/rollout", "{\"stable\":\"3\"}");

    assertThat(a.next(ControllerJobOffer.class, 30_000).scriptVersion()).isEqualTo("3");
  }


  static JsonNode version(JsonNode client, String version) {
    for (JsonNode v : client.get("versions")) {
      if (v.get("version").asText().equals(version)) {
        return v;
      }
    }
    throw new AssertionError("no version " + version + " in " + client);
  }
}
