package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the console reads and does through the API: overview, device actions, login links, filters, metrics. */
class ConsoleApiTest {
  @TempDir Path dir;
  RunningController controller;
  final List<ProtocolAgent> agents = new ArrayList<>();

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, Fixtures.middayInShanghai(), o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store"));
    controller.post("/groups", "{\"id\":\"g-2\",\"name\":\"上海门店 VIP 群\",\"accountId\":\"acc-1\",\"tags\":[\"vip\"]}");
  }

  @AfterEach
  void stop() {
    agents.forEach(ProtocolAgent::close);
    controller.close();
  }

  ProtocolAgent agent() {
    ProtocolAgent a = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    agents.add(a);
    a.next(ControllerWelcome.class, 30_000);
    return a;
  }

  String viewerToken() {
    return controller.post("/tokens", "{\"name\":\"night shift\",\"role\":\"viewer\"}").body().get("token").asText();
  }

  @Test
  void aDrainedDeviceGetsNoOfferUntilResumedAndEveryActionIsAudited() {
    ProtocolAgent a = agent();
    var drained = controller.post("/devices/dev-1/drain", "{\"reason\":\"cable swap\"}");
    assertThat(drained.status()).isEqualTo(200);
    assertThat(drained.body().get("state").asText()).isEqualTo("draining");

    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    controller.awaitDispatchPasses();
    a.expectNothing(ControllerJobOffer.class, 300);

    assertThat(controller.post("/devices/dev-1/resume", "{}").body().get("state").asText()).isEqualTo("idle");
    ControllerJobOffer offer = a.next(ControllerJobOffer.class, 30_000);
    assertThat(offer.jobId()).isEqualTo("broadcast:b-1:g-1");

    JsonNode audit = controller.get("/audit").body();
    assertThat(audit.findValuesAsText("action")).contains("device.drain", "device.resume");
    assertThat(audit.findValuesAsText("reason")).contains("cable swap");
  }

  @Test
  void aStuckLeaseIsReleasedAndTheJobOfferedAgainUnderANewToken() {
    ProtocolAgent a = agent();
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    ControllerJobOffer stuck = a.next(ControllerJobOffer.class, 30_000);
    assertThat(controller.get("/devices").body().get(0).get("state").asText()).isEqualTo("busy");

    var released = controller.post("/devices/dev-1/release", "{\"reason\":\"phone frozen\"}");

    assertThat(released.status()).isEqualTo(200);
    ControllerJobOffer again = a.next(ControllerJobOffer.class, 30_000);
    assertThat(again.jobId()).isEqualTo(stuck.jobId());
    assertThat(again.fencingToken()).isGreaterThan(stuck.fencingToken());
    // The old lease is fenced off: its late report is refused.
    a.send(Fixtures.aReport(stuck, Outcome.SUCCEEDED));
    assertThat(a.next(ControllerReportAck.class, 30_000).accepted()).isFalse();
    assertThat(controller.get("/jobs/broadcast:b-1:g-1/executions").body().get(0).get("outcome").asText()).isEqualTo("LEASE_EXPIRED");
    assertThat(controller.get("/audit").body().findValuesAsText("action")).contains("device.release");
    // Nothing held, nothing to release; an unknown device is a 404; a viewer may not act.
    a.send(Fixtures.aReport(again, Outcome.SUCCEEDED));
    a.next(ControllerReportAck.class, 30_000);
    controller.await("/devices", d -> d.get(0).get("state").asText().equals("idle"), Duration.ofSeconds(5));
    assertThat(controller.post("/devices/dev-1/release", "{}").status()).isEqualTo(409);
    assertThat(controller.post("/devices/dev-9/drain", "{}").status()).isEqualTo(404);
    assertThat(controller.post("/devices/dev-1/drain", "{}", viewerToken()).status()).isEqualTo(403);
  }

  @Test
  void theOverviewCountsTodaysSendsAndTheDevicesPageNamesTheLastFailureWithItsScreenshot() {
    ProtocolAgent a = agent();
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    ControllerJobOffer first = a.next(ControllerJobOffer.class, 30_000);
    a.send(Fixtures.aFailureOnVersion(Fixtures.aReport(first, Outcome.FAILED), "wecom-sim@1"));
    a.next(ControllerReportAck.class, 30_000);
    ControllerJobOffer retry = a.next(ControllerJobOffer.class, 10_000);
    a.send(Fixtures.aReport(retry, Outcome.SUCCEEDED));
    a.next(ControllerReportAck.class, 30_000);

    JsonNode o = controller.await("/overview", b -> b.get("today").get("sent").asInt() == 1 && b.get("devices").get("byState").has("idle"),
        Duration.ofSeconds(5)).body();
    assertThat(o.get("today").get("sent").asInt()).isEqualTo(1);
    assertThat(o.get("agents").asInt()).isEqualTo(1);
    assertThat(o.get("devices").get("byState").get("idle").asInt()).isEqualTo(1);
    assertThat(o.get("broadcasts").get(0).get("id").asText()).isEqualTo("b-1");
    JsonNode device = controller.get("/devices").body().get(0);
    assertThat(device.get("lastFailure").get("error").asText()).isEqualTo("no send button");
    assertThat(device.get("lastFailure").get("step").asText()).isEqualTo("press-send");
    assertThat(device.get("heartbeatAgeMillis").asLong()).isBetween(0L, 10_000L);
    assertThat(controller.get("/broadcasts").body().get(0).get("progress").get("SUCCEEDED").asInt()).isEqualTo(1);
    assertThat(controller.get("/whoami", viewerToken()).body().get("role").asText()).isEqualTo("viewer");
  }

  @Test
  void jobsAndGroupsFilterAsTheConsoleAsks() {
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    controller.post("/broadcasts", Fixtures.aBroadcast("b-2", "hello", "g-2"));

    JsonNode newest = controller.get("/jobs?accountId=acc-1&order=desc&limit=1").body();
    assertThat(newest.get(0).get("id").asText()).isEqualTo("broadcast:b-2:g-2");
    assertThat(controller.get("/jobs?accountId=acc-9").body()).isEmpty();
    assertThat(controller.get("/jobs?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z").body()).isEmpty();
    var bad = controller.get("/jobs?order=sideways");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("field").asText()).isEqualTo("order");
    assertThat(controller.get("/jobs?from=yesterday").body().get("field").asText()).isEqualTo("from");

    JsonNode found = controller.get("/groups?q=vip&usage=true").body();
    assertThat(found).hasSize(1);
    assertThat(found.get(0).get("id").asText()).isEqualTo("g-2");
    assertThat(found.get(0).get("postsToday").asInt()).isZero();
    assertThat(found.get(0).get("cap").asInt()).isEqualTo(3);
    assertThat(controller.get("/groups?q=上海").body()).hasSize(1);
  }

  @Test
  void aLoginLinkGivesATokenOfItsRoleOnceAndOnlyAdminsMakeThem() {
    JsonNode link = controller.post("/login-links", "{\"role\":\"operator\",\"minutes\":5}").body();
    String code = link.get("path").asText().replace("/console/#login=", "");

    var first = controller.post("/login", "{\"code\":\"" + code + "\"}", null);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().get("role").asText()).isEqualTo("operator");
    assertThat(controller.get("/whoami", first.body().get("token").asText()).body().get("role").asText()).isEqualTo("operator");
    var again = controller.post("/login", "{\"code\":\"" + code + "\"}", null);
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.body().get("error").asText()).contains("already used");
    assertThat(controller.post("/login-links", "{\"role\":\"admin\"}", viewerToken()).status()).isEqualTo(403);
    assertThat(controller.post("/login-links", "{\"role\":\"agent\"}").body().get("field").asText()).isEqualTo("role");
    assertThat(controller.get("/audit").body().findValuesAsText("action")).contains("login-link.create", "token.create");
  }

  @Test
  void aLinkForAPersonBecomesATokenInTheirNameAndTheAuditNamesThemNotTheLink() {
    JsonNode link = controller.post("/login-links", "{\"role\":\"admin\",\"minutes\":5,\"person\":\"李娜\"}").body();
    assertThat(link.get("person").asText()).isEqualTo("李娜");
    String token = controller.post("/login", "{\"code\":\"" + link.get("path").asText().replace("/console/#login=", "") + "\"}", null).body().get("token").asText();
    assertThat(controller.get("/whoami", token).body().get("name").asText()).isEqualTo("李娜");
    controller.post("/accounts/acc-1/pause", "{\"reason\":\"warning screen\"}", token);
    assertThat(controller.get("/audit").body().findValues("actor").stream().map(JsonNode::asText)).anyMatch(a -> a.startsWith("李娜 (tok-"));

    // An unnamed link made from an unnamed link's token names the admin who started it, once.
    String unnamed = controller.post("/login", "{\"code\":\"" + controller.post("/login-links", "{\"role\":\"admin\"}").body().get("path").asText()
        .replace("/console/#login=", "") + "\"}", null).body().get("token").asText();
    String second = controller.post("/login", "{\"code\":\"" + controller.post("/login-links", "{\"role\":\"viewer\"}", unnamed).body().get("path").asText()
        .replace("/console/#login=", "") + "\"}", null).body().get("token").asText();
    assertThat(controller.get("/whoami", second).body().get("name").asText()).isEqualTo("console login (link by first admin)");
    assertThat(controller.post("/login-links", "{\"person\":\"  \"}").body().get("field").asText()).isEqualTo("person");
  }

  @Test
  void metricsArePrometheusTextFromMicrometerWithHttpJvmAndDomainMetersAndNoJobIds() {
    ProtocolAgent a = agent();
    controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    ControllerJobOffer offer = a.next(ControllerJobOffer.class, 30_000);
    a.send(Fixtures.aReport(offer, Outcome.SUCCEEDED));
    a.next(ControllerReportAck.class, 30_000);
    controller.get("/accounts");

    // The farm's totals are sampled every 5 s.
    String text = Eventually.settle(Duration.ofSeconds(15), () -> controller.raw("/metrics"),
        t -> t.contains("wecom_rpa_jobs{state=\"SUCCEEDED\"} 1.0") && t.contains("wecom_rpa_devices{state=\"idle\"} 1.0"));
    assertThat(text)
        .contains("wecom_rpa_jobs{state=\"SUCCEEDED\"} 1.0")
        .contains("wecom_rpa_reports_total{outcome=\"SUCCEEDED\"} 1.0")
        .contains("wecom_rpa_job_due_to_offer_seconds_bucket")
        .contains("wecom_rpa_job_offer_to_report_seconds_count 1")
        .contains("wecom_rpa_quota_used{account=\"acc-1\",counter=\"posts/day\"} 1.0")
        .contains("wecom_rpa_devices{state=\"idle\"} 1.0")
        .contains("wecom_rpa_agents_connected 1.0")
        .contains("wecom_rpa_storage_rows{kind=\"sent\"} 1.0")
        .contains("wecom_rpa_storage_rows{kind=\"executions\"} 1.0")
        .contains("jvm_memory_used_bytes")
        .contains("vertx_http_server_requests_total")
        .contains("vertx_pool_")
        .containsPattern("vertx_http_server_requests_total\\{[^}]*route=\"/api/v1/>/accounts\"");
    assertThat(text).doesNotContain("broadcast:b-1").doesNotContain("g-1");
  }
}
