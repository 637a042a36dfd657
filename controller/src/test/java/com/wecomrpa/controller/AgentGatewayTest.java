package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.controller.gateway.AgentGateway;
import com.wecomrpa.protocol.AgentDraining;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.AgentLeaseReturned;
import com.wecomrpa.protocol.AgentJobStarted;
import com.wecomrpa.protocol.AgentDeviceHealth;
import com.wecomrpa.protocol.AgentScriptRequest;
import com.wecomrpa.protocol.ControllerScriptBundle;
import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerRefusal;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.protocol.Release;
import com.wecomrpa.protocol.WireCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentGatewayTest {
  static final String TOKEN = RunningController.AGENT_TOKEN;
  @TempDir Path dir;
  RunningController controller;
  final List<ProtocolAgent> agents = new ArrayList<>();

  /** Noon today in Shanghai, so "the same day" cannot straddle midnight while a test runs. */

  @BeforeEach
  void start() {
    controller =
        RunningController.start(dir, Fixtures.middayInShanghai(), o -> o.withLeases(Duration.ofMillis(1500), Duration.ofMillis(300)));
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store"));
  }

  @AfterEach
  void stop() {
    agents.forEach(ProtocolAgent::close);
    controller.close();
  }

  ProtocolAgent agent(String token) {
    ProtocolAgent a = ProtocolAgent.connect(controller.agentUri(), "agent-" + agents.size(), token, "dev-1", "acc-1");
    agents.add(a);
    return a;
  }


  /** Welcomed, then offered the one job of a broadcast to g-1. */
  ControllerJobOffer offerOfABroadcast(ProtocolAgent a) {
    a.next(ControllerWelcome.class, 30_000);
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    return a.next(ControllerJobOffer.class, 30_000);
  }

  JsonNode job(String id) {
    return controller.get("/jobs/" + id).body();
  }

  JsonNode awaitJobState(String id, String state) {
    return controller.await("/jobs/" + id, j -> state.equals(j.get("state").asText()), Duration.ofSeconds(10)).body();
  }

  ProtocolAgent agentSpeaking(Map<String, String> headers) {
    ProtocolAgent a = ProtocolAgent.connect(controller.agentUri(), "agent-" + agents.size(), TOKEN,
        new com.wecomrpa.protocol.DeviceInfo("dev-1", "acc-1", "wecom-sim", "sim-1", "none", "wecom-sim@test"), headers);
    agents.add(a);
    return a;
  }

  @Test
  void anAgentOfThePreviousReleaseIsWelcomedInWordsItKnowsAndOffered() throws Exception {
    // The previous release sent no protocol headers and refused any field it did not know.
    ProtocolAgent old = agentSpeaking(Map.of());

    old.next(ControllerWelcome.class, 30_000);
    JsonNode welcome = WireCodec.mapper().readTree(old.texts.stream().filter(t -> t.contains("controller.welcome")).findFirst().orElseThrow());
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    old.next(ControllerJobOffer.class, 30_000);

    assertThat(welcome.get("type").asText()).isEqualTo("controller.welcome");
    assertThat(fieldNames(welcome.fieldNames())).containsExactlyInAnyOrder("type", "agentId", "heartbeatMillis", "leaseMillis");
    String offer = old.texts.stream().filter(t -> t.contains("controller.job-offer")).findFirst().orElseThrow();
    assertThat(offer).doesNotContain("null").doesNotContain("verifySinceMillis");
  }

  @Test
  void anAgentOfThisReleaseHearsTheControllersProtocolAndRelease() {
    ProtocolAgent a = agentSpeaking(Map.of(Release.PROTOCOL_HEADER, String.valueOf(Release.PROTOCOL), Release.OLDEST_HEADER,
        String.valueOf(Release.OLDEST_PROTOCOL), Release.RELEASE_HEADER, "this"));

    ControllerWelcome w = a.next(ControllerWelcome.class, 30_000);

    assertThat(w.protocol()).isEqualTo(Release.PROTOCOL);
    assertThat(w.release()).isEqualTo(Release.current().describe());
  }

  @Test
  void anAgentTooOldIsRefusedAndToldWhatToUpgradeTo() throws Exception {
    ProtocolAgent a = agentSpeaking(Map.of(Release.PROTOCOL_HEADER, String.valueOf(Release.OLDEST_PROTOCOL - 1), Release.RELEASE_HEADER, "0.0.1"));

    ControllerRefusal refusal = a.next(ControllerRefusal.class, 30_000);

    assertThat(refusal.reason()).contains("wecom-rpa 0.0.1").contains("too old").contains("upgrade the agent to wecom-rpa " + Release.current().version());
    assertThat(a.closedWith.get(5, TimeUnit.SECONDS)).isEqualTo((int) AgentGateway.CLOSE_REFUSED);
    assertThat(controller.get("/devices").body()).isEmpty();
  }

  @Test
  void anAgentTooNewIsToldToUpgradeTheControllerFirst() {
    ProtocolAgent a = agentSpeaking(Map.of(Release.PROTOCOL_HEADER, String.valueOf(Release.PROTOCOL + 2), Release.OLDEST_HEADER,
        String.valueOf(Release.PROTOCOL + 1), Release.RELEASE_HEADER, "9.0.0"));

    ControllerRefusal refusal = a.next(ControllerRefusal.class, 30_000);

    assertThat(refusal.reason()).contains("too new").contains("upgrade the controller to wecom-rpa 9.0.0");
  }

  private static List<String> fieldNames(java.util.Iterator<String> names) {
    List<String> all = new ArrayList<>();
    names.forEachRemaining(all::add);
    return all;
  }

  @Test
  void anAgentWithAWrongTokenIsRefusedAndItsDevicesGetNothing() throws Exception {
    ProtocolAgent a = agent("not-the-token");

    ControllerRefusal refusal = a.next(ControllerRefusal.class, 30_000);

    assertThat(refusal.reason()).contains("invalid agent token");
    assertThat(a.closedWith.get(5, TimeUnit.SECONDS)).isEqualTo((int) AgentGateway.CLOSE_REFUSED);
    assertThat(controller.get("/devices").body()).isEmpty();
  }

  @Test
  void aLeaseThatExpiresBeforeTheJobStartsGoesBackToTheQueueAndItsLateReportIsRefused() {
    ProtocolAgent a = agent(TOKEN);
    ControllerJobOffer first = offerOfABroadcast(a);

    // The agent stays connected (heartbeats) but neither starts nor renews the job: a stall.
    ControllerJobOffer second = a.next(ControllerJobOffer.class, 10_000);

    assertThat(second.jobId()).isEqualTo(first.jobId());
    assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());

    a.send(Fixtures.aReport(first, Outcome.SUCCEEDED));
    ControllerReportAck late = a.next(ControllerReportAck.class, 30_000);
    assertThat(late.accepted()).isFalse();
    assertThat(late.reason()).contains("not current");
    assertThat(job(first.jobId()).get("state").asText()).isEqualTo("LEASED");

    a.send(Fixtures.aReport(second, Outcome.SUCCEEDED));
    assertThat(a.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
    assertThat(awaitJobState(first.jobId(), "SUCCEEDED").get("attempts").asInt()).isEqualTo(2);
  }

  @Test
  void aJobWhoseAgentVanishesAfterStartingBecomesUnknownNeverSucceeded() {
    ProtocolAgent a = agent(TOKEN);
    ControllerJobOffer offer = offerOfABroadcast(a);
    a.send(new AgentJobStarted(offer.jobId(), offer.fencingToken(), offer.deviceId()));
    awaitJobState(offer.jobId(), "RUNNING");

    a.drop();

    JsonNode unknown = awaitJobState(offer.jobId(), "UNKNOWN");
    assertThat(unknown.get("reason").asText()).contains("may have been sent");
    assertThat(controller.get("/devices").body()).isEmpty();

    // The agent comes back late with a success under the dead lease: the truth is not overwritten.
    // Instead the job is offered again, as verify-then-send: look for the message before sending.
    ProtocolAgent back = agent(TOKEN);
    back.next(ControllerWelcome.class, 30_000);
    ControllerJobOffer again = back.next(ControllerJobOffer.class, 30_000);
    back.send(Fixtures.aReport(offer, Outcome.SUCCEEDED));
    assertThat(back.next(ControllerReportAck.class, 30_000).accepted()).isFalse();
    assertThat(again.jobId()).isEqualTo(offer.jobId());
    assertThat(again.fencingToken()).isGreaterThan(offer.fencingToken());
    assertThat(again.verifySinceMillis()).isNotNull();
    assertThat(job(offer.jobId()).get("state").asText()).isEqualTo("LEASED");
  }

  @Test
  void aSuccessReportedAfterItsLeaseRanOutIsBelievedWhileNothingWasOfferedSince() {
    ProtocolAgent a = agent(TOKEN);
    ControllerJobOffer offer = offerOfABroadcast(a);
    // Drained at once, well inside the lease: the device is offered nothing else, so the job waits
    // UNKNOWN rather than going out to be verified.
    assertThat(controller.post("/devices/" + offer.deviceId() + "/drain", "{\"reason\":\"cable check\"}").status()).isEqualTo(200);
    a.send(new AgentJobStarted(offer.jobId(), offer.fencingToken(), offer.deviceId()));

    // A slow host: the agent renews nothing and its success comes after the lease ran out.
    awaitJobState(offer.jobId(), "UNKNOWN");
    a.send(Fixtures.aReport(offer, Outcome.SUCCEEDED));
    ControllerReportAck ack = a.next(ControllerReportAck.class, 30_000);
    assertThat(ack.accepted()).as(ack.reason()).isTrue();
    JsonNode done = awaitJobState(offer.jobId(), "SUCCEEDED");
    assertThat(done.get("attempts").asInt()).as("no verify trip spent").isEqualTo(1);
    assertThat(done.get("reason").asText()).contains("after its lease had run out");
    JsonNode executions = controller.get("/jobs/" + offer.jobId() + "/executions").body();
    assertThat(executions).hasSize(1);
    assertThat(executions.get(0).get("outcome").asText()).isEqualTo("SUCCEEDED");
  }

  @Test
  void theFourthPostToAGroupOnOneDayIsSkippedWithItsReason() {
    ProtocolAgent a = agent(TOKEN);
    a.next(ControllerWelcome.class, 30_000);
    for (int i = 1; i <= 4; i++) {
      controller.post("/broadcasts", Fixtures.aBroadcast("b-" + i, "post " + i, "g-1"));
    }
    for (int i = 0; i < 3; i++) {
      ControllerJobOffer o = a.next(ControllerJobOffer.class, 30_000);
      a.send(Fixtures.aReport(o, Outcome.SUCCEEDED));
      assertThat(a.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
    }

    JsonNode fourth = awaitJobState("broadcast:b-4:g-1", "SKIPPED");

    assertThat(fourth.get("reason").asText()).startsWith("quota:group-daily; 3 posts on ").endsWith(" won by b-1, b-2, b-3");
    assertThat(fourth.get("decidedBy").asText()).isEqualTo("group-daily-cap");
    assertThat(controller.get("/jobs?groupId=g-1&state=SUCCEEDED").body()).hasSize(3);
  }

  @Test
  void aJobQueuedAgainByARiskSignalKeepsItsReasonAndSaysApartWhichRuleHoldsIt() {
    ProtocolAgent a = agent(TOKEN);
    ControllerJobOffer o = offerOfABroadcast(a);
    a.send(new AgentJobReport(UUID.randomUUID().toString(), o.jobId(), o.fencingToken(), o.deviceId(), Outcome.FAILED,
        "detect-risk", "操作过于频繁", null, Instant.now(), Instant.now(), "test@1", "too-frequent", null, null));
    a.next(ControllerReportAck.class, 30_000);

    // The device is free again: the claim looks at the job and finds its account cooling.
    JsonNode waiting = controller.await("/jobs/" + o.jobId(), j -> "account-status".equals(j.path("decidedBy").asText()), Duration.ofSeconds(20)).body();

    assertThat(waiting.get("state").asText()).isEqualTo("QUEUED");
    assertThat(waiting.get("reason").asText()).as("why it was queued again").startsWith("risk:too-frequent");
    assertThat(waiting.get("waitNote").asText()).as("what holds it now").startsWith("account-status: account acc-1 is cooling");
    assertThat(Instant.parse(waiting.get("waitUntil").asText())).isAfter(Fixtures.middayInShanghai().instant());
  }

  @Test
  void aDrainingAgentIsOfferedNothingAndALeaseItHandsBackReturnsToTheQueue() {
    ProtocolAgent a = agent(TOKEN);
    ControllerJobOffer offer = offerOfABroadcast(a);

    a.send(new AgentDraining("stopping"));
    a.send(new AgentLeaseReturned(offer.jobId(), offer.fencingToken(), offer.deviceId()));

    JsonNode back = awaitJobState(offer.jobId(), "QUEUED");
    assertThat(back.get("reason").asText()).contains("returned unstarted");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.next(ControllerJobOffer.class, 1500)).isInstanceOf(AssertionError.class);
    assertThat(controller.get("/devices").body().get(0).get("state").asText()).isEqualTo("draining");
  }

  @Test
  void aReportSentTwiceIsAppliedOnceAndAcknowledgedBothTimes() {
    ProtocolAgent a = agent(TOKEN);
    ControllerJobOffer o = offerOfABroadcast(a);
    AgentJobReport r = Fixtures.aReport(o, Outcome.SUCCEEDED);

    a.send(r);
    a.send(r);

    assertThat(a.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
    assertThat(a.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
    assertThat(controller.get("/jobs/" + o.jobId() + "/executions").body()).hasSize(1);
    assertThat(job(o.jobId()).get("state").asText()).isEqualTo("SUCCEEDED");
  }

  @Test
  void contentThePlatformRefusedFailsAtOnceGivesTheQuotaBackAndNeverBlamesTheDevice() {
    ProtocolAgent a = agent(TOKEN);
    a.next(ControllerWelcome.class, 30_000);
    // More refusals in a row than make a device unhealthy: they are the content's, not the device's.
    for (int i = 1; i <= 4; i++) {
      controller.post("/broadcasts", Fixtures.aBroadcast("b-" + i, "全网最低价 " + i, "g-1"));
      ControllerJobOffer o = a.next(ControllerJobOffer.class, 30_000);
      assertThat(o.jobId()).isEqualTo("broadcast:b-" + i + ":g-1");
      a.send(new AgentJobReport(UUID.randomUUID().toString(), o.jobId(), o.fencingToken(), o.deviceId(), Outcome.FAILED, "content-refused",
          "the platform refused the content: 消息发送失败：内容含有违规词「最低价」", null, Instant.now(), Instant.now(), "test@1", null, null,
          com.wecomrpa.protocol.FailureKind.CONTENT));
      assertThat(a.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
      JsonNode failed = awaitJobState(o.jobId(), "FAILED");
      assertThat(failed.get("attempts").asInt()).as("not retried: the same words would be refused again").isEqualTo(1);
      assertThat(failed.get("reason").asText()).contains("content refused").contains("最低价");
    }
    a.expectNothing(ControllerDeviceHealth.class, 200);
    assertThat(controller.get("/devices").body().get(0).get("state").asText()).isNotEqualTo("unhealthy");
    // Nothing went out: the group's three posts of the day are all still there.
    controller.post("/broadcasts", Fixtures.aBroadcast("b-ok", "本周新品", "g-1"));
    ControllerJobOffer ok = a.next(ControllerJobOffer.class, 30_000);
    assertThat(ok.jobId()).isEqualTo("broadcast:b-ok:g-1");
  }

  @Test
  void aDefiniteFailureGivesTheQuotaBackAndIsRetriedUpToTheLimit() {
    ProtocolAgent a = agent(TOKEN);
    a.next(ControllerWelcome.class, 30_000);
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    for (int attempt = 1; attempt <= 3; attempt++) {
      ControllerJobOffer o = a.next(ControllerJobOffer.class, 30_000);
      assertThat(o.attempt()).isEqualTo(attempt);
      a.send(new AgentJobReport(UUID.randomUUID().toString(), o.jobId(), o.fencingToken(), o.deviceId(), Outcome.FAILED,
          "open-group", "group not found in search", null, Instant.now(), Instant.now(), "test@1", null, null, null));
      a.next(ControllerReportAck.class, 30_000);
    }

    JsonNode failed = awaitJobState("broadcast:b-1:g-1", "FAILED");

    assertThat(failed.get("reason").asText()).contains("open-group").contains("group not found");
    JsonNode executions = controller.get("/jobs/broadcast:b-1:g-1/executions").body();
    assertThat(executions).hasSize(3);
    assertThat(executions.get(2).get("failedStep").asText()).isEqualTo("open-group");
    // Three failures in a row: the device is unhealthy and gets nothing until its agent repairs it.
    ControllerDeviceHealth unhealthy = a.next(ControllerDeviceHealth.class, 30_000);
    assertThat(unhealthy.healthy()).isFalse();
    assertThat(unhealthy.reason()).contains("3 jobs failed in a row").contains("group not found");
    assertThat(controller.get("/devices").body().get(0).get("state").asText()).isEqualTo("unhealthy");
    controller.post("/broadcasts", Fixtures.aBroadcast("b-2", "post 2", "g-1"));
    controller.awaitDispatchPasses();
    a.expectNothing(ControllerJobOffer.class, 200);
    // Another agent cannot speak for this device.
    ProtocolAgent other = ProtocolAgent.connect(controller.agentUri(), "agent-other", TOKEN, "dev-2", "acc-idle");
    agents.add(other);
    other.next(ControllerWelcome.class, 30_000);
    other.send(new AgentDeviceHealth(unhealthy.deviceId(), true, "not mine"));
    // A question on the same connection: its answer comes after the claim above was handled.
    other.send(new AgentScriptRequest("wecom-sim", "0.0.0"));
    other.next(ControllerScriptBundle.class, 30_000);
    assertThat(controller.get("/devices").body().findValuesAsText("state")).contains("unhealthy");
    other.close();
    a.send(new AgentDeviceHealth(unhealthy.deviceId(), true, "repaired"));
    // Nothing was sent, so the group's day is untouched: three more posts still fit.
    for (int i = 2; i <= 4; i++) {
      if (i > 2) {
        controller.post("/broadcasts", Fixtures.aBroadcast("b-" + i, "post " + i, "g-1"));
      }
      ControllerJobOffer o = a.next(ControllerJobOffer.class, 30_000);
      a.send(Fixtures.aReport(o, Outcome.SUCCEEDED));
      a.next(ControllerReportAck.class, 30_000);
    }
    assertThat(controller.get("/jobs?groupId=g-1&state=SUCCEEDED").body()).hasSize(3);
  }

  /**
   * An agent whose disk is full says its device cannot work: one alert, no offer while it is so,
   * and once the agent says it writes again the device takes the job and the alert is resolved by it.
   */
  @Test
  void aDeviceItsAgentSaysCannotWorkIsOfferedNothingUntilItSaysItCan() {
    ProtocolAgent a = agent(TOKEN);
    a.next(ControllerWelcome.class, 30_000);
    String full = "the agent cannot write its job journal, so it starts no job on this device: No space left on device";
    a.send(new AgentDeviceHealth("dev-1", false, full));
    a.send(new AgentDeviceHealth("dev-1", false, full)); // every device of the agent says it, again and again: one alert
    controller.await("/devices", d -> d.size() == 1 && "unhealthy".equals(d.get(0).get("state").asText()), Duration.ofSeconds(10));
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    controller.awaitDispatchPasses();
    a.expectNothing(ControllerJobOffer.class, 200);
    JsonNode open = controller.await("/alerts", l -> l.size() >= 1, Duration.ofSeconds(10)).body();
    assertThat(open).hasSize(1);
    assertThat(open.get(0).get("kind").asText()).isEqualTo("device:unhealthy");
    assertThat(open.get(0).get("detail").asText()).contains("dev-1").contains("agent agent-0").contains("No space left on device");

    a.send(new AgentDeviceHealth("dev-1", true, "the agent writes its job journal again"));

    ControllerJobOffer o = a.next(ControllerJobOffer.class, 30_000);
    assertThat(o.jobId()).isEqualTo("broadcast:b-1:g-1");
    JsonNode resolved = controller.await("/alerts", l -> l.size() == 1 && "resolved".equals(l.get(0).get("state").asText()), Duration.ofSeconds(10)).body();
    assertThat(resolved.get(0).get("resolvedBy").asText()).isEqualTo("agent-0");
  }
}
