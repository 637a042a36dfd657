package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.time.ManualClock;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitsTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  @TempDir Path dir;
  final ManualClock clock = new ManualClock(at("12:00"));
  RunningController controller;

  static Instant at(String time) {
    return ZonedDateTime.of(LocalDate.of(2026, 12, 1), LocalTime.parse(time), SHANGHAI).toInstant();
  }

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, clock, o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    for (int i = 1; i <= 6; i++) {
      controller.post("/groups", Fixtures.aGroup("g-" + i, "acc-1", "store"));
    }
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  RunningController.Reply put(String path, String values, String reason) {
    return controller.put(path, "{\"values\":" + values + ",\"reason\":\"" + reason + "\"}");
  }

  JsonNode effective(String account, String limit) {
    return controller.get("/accounts/" + account + "/limits").body().get("values").get(limit);
  }

  @Test
  void overridesResolveGlobalThenTagThenAccountAndNameTheirSource() {
    controller.post("/accounts", "{\"id\":\"acc-vip\",\"platform\":\"wecom\",\"displayName\":\"VIP\",\"timeZone\":\"Asia/Shanghai\",\"tags\":[\"vip\",\"fresh\"]}");
    put("/limits/global", "{\"postsPerAccountPerDay\":\"500\",\"minGapSeconds\":\"5\"}", "season");
    put("/limits/tags/vip", "{\"postsPerAccountPerDay\":\"300\"}", "vip accounts are watched");
    put("/limits/tags/fresh", "{\"postsPerAccountPerDay\":\"100\"}", "fresh accounts are fragile");
    put("/limits/accounts/acc-1", "{\"minGapSeconds\":\"20\"}", "flagged last week");

    assertThat(effective("acc-1", "postsPerAccountPerDay").get("value").asText()).isEqualTo("500");
    assertThat(effective("acc-1", "postsPerAccountPerDay").get("source").asText()).isEqualTo("global");
    assertThat(effective("acc-1", "minGapSeconds").get("source").asText()).isEqualTo("account");
    assertThat(effective("acc-1", "momentsPerDay").get("source").asText()).isEqualTo("default");
    // two tags set it: the stricter wins, and says which tag
    assertThat(effective("acc-vip", "postsPerAccountPerDay").get("value").asText()).isEqualTo("100");
    assertThat(effective("acc-vip", "postsPerAccountPerDay").get("source").asText()).isEqualTo("tag:fresh");
    assertThat(effective("acc-vip", "minGapSeconds").get("source").asText()).isEqualTo("global");

    put("/limits/global", "{\"warmupDays\":\"7\",\"warmupPercent\":\"50\"}", "new accounts start slow");
    assertThat(effective("acc-1", "postsPerAccountPerDay").get("value").asText()).isEqualTo("250");
    assertThat(effective("acc-1", "postsPerAccountPerDay").get("source").asText()).isEqualTo("global+warm-up");
    clock.set(at("12:00").plus(java.time.Duration.ofDays(8)));
    assertThat(effective("acc-1", "postsPerAccountPerDay").get("value").asText()).isEqualTo("500");
  }

  @Test
  void loweringACapMidDayStopsFurtherSendsAndRaisingItLetsThemContinueBothAudited() {
    ProtocolAgent agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    try {
      agent.next(ControllerWelcome.class, 30_000);
      controller.post("/broadcasts", "{\"id\":\"b-1\",\"content\":{\"text\":\"hi\"},\"target\":{\"tag\":\"store\"}}");
      sendOne(agent);
      sendOne(agent);
      ControllerJobOffer third = agent.next(ControllerJobOffer.class, 30_000);

      // Below today's usage (3 taken): the job already running finishes, nothing more goes today.
      assertThat(put("/limits/accounts/acc-1", "{\"postsPerAccountPerDay\":\"2\"}", "warning seen on another account").status()).isEqualTo(200);
      agent.send(Fixtures.aReport(third, Outcome.SUCCEEDED));
      assertThat(agent.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
      assertThatThrownBy(() -> agent.next(ControllerJobOffer.class, 2000)).isInstanceOf(AssertionError.class);
      JsonNode usage = controller.get("/accounts/acc-1/usage").body();
      JsonNode postsToday = null;
      for (JsonNode c : usage.get("counters")) {
        if (c.get("counter").asText().equals("posts/day")) {
          postsToday = c;
        }
      }
      assertThat(postsToday.get("used").asInt()).isEqualTo(3);
      assertThat(postsToday.get("cap").asInt()).isEqualTo(2);
      assertThat(controller.get("/jobs?state=QUEUED").body()).hasSize(3);

      put("/limits/accounts/acc-1", "{\"postsPerAccountPerDay\":\"10\"}", "all clear");
      for (int i = 0; i < 3; i++) {
        sendOne(agent);
      }
      assertThat(controller.get("/jobs?state=SUCCEEDED").body()).hasSize(6);

      JsonNode audit = controller.get("/audit").body();
      assertThat(audit.get(0).get("oldValue").asText()).isEqualTo("2");
      assertThat(audit.get(0).get("newValue").asText()).isEqualTo("10");
      assertThat(audit.get(0).get("reason").asText()).isEqualTo("all clear");
      assertThat(audit.get(1).get("target").asText()).isEqualTo("account:acc-1 postsPerAccountPerDay");
      assertThat(audit.get(1).get("actor").asText()).startsWith("first admin");
    } finally {
      agent.close();
    }
  }

  @Test
  void outsideActiveHoursNothingIsOfferedAndUsageSaysWhenItMayStart() {
    put("/limits/global", "{\"activeHours\":\"08:00-22:00\"}", "people sleep");
    clock.set(at("23:00"));
    ProtocolAgent agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    try {
      agent.next(ControllerWelcome.class, 30_000);
      controller.post("/broadcasts", "{\"id\":\"b-1\",\"content\":{\"text\":\"hi\"},\"target\":{\"groupIds\":[\"g-1\"]}}");
      assertThatThrownBy(() -> agent.next(ControllerJobOffer.class, 1500)).isInstanceOf(AssertionError.class);
      assertThat(controller.get("/accounts/acc-1/usage").body().get("nextAllowedAt").asText())
          .isEqualTo(ZonedDateTime.of(LocalDate.of(2026, 12, 2), LocalTime.of(8, 0), SHANGHAI).toInstant().toString());

      clock.set(at("23:00").plus(java.time.Duration.ofHours(9)));
      assertThat(agent.next(ControllerJobOffer.class, 30_000).jobId()).isEqualTo("broadcast:b-1:g-1");
    } finally {
      agent.close();
    }
  }

  @Test
  void badLimitValuesAreRefusedNamingTheFieldAndChangeNothing() {
    JsonNode before = controller.get("/limits").body();

    assertThat(put("/limits/global", "{\"postsPerAccountPerDay\":\"lots\"}", "x").body().get("field").asText()).isEqualTo("values.postsPerAccountPerDay");
    assertThat(put("/limits/global", "{\"postsPerFortnight\":\"3\"}", "x").body().get("field").asText()).isEqualTo("values.postsPerFortnight");
    assertThat(put("/limits/global", "{\"minGapSeconds\":\"5\",\"activeHours\":\"8-22\"}", "x").body().get("field").asText()).isEqualTo("values.activeHours");
    assertThat(put("/limits/accounts/acc-404", "{\"minGapSeconds\":\"5\"}", "x").status()).isEqualTo(404);

    assertThat(controller.get("/limits").body()).isEqualTo(before);
  }

  @Test
  void theGroupCapFollowsTheAccountsEffectiveLimit() {
    put("/limits/accounts/acc-1", "{\"maxGroups\":\"7\"}", "small account");
    assertThat(controller.post("/groups", Fixtures.aGroup("g-7", "acc-1", "store")).status()).isEqualTo(201);

    RunningController.Reply refused = controller.post("/groups", Fixtures.aGroup("g-8", "acc-1", "store"));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().get("error").asText()).contains("acc-1").contains("cap is 7");
  }

  private void sendOne(ProtocolAgent agent) {
    ControllerJobOffer o = agent.next(ControllerJobOffer.class, 30_000);
    agent.send(Fixtures.aReport(o, Outcome.SUCCEEDED));
    assertThat(agent.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
  }
}
