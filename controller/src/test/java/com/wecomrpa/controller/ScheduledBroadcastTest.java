package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broadcast scheduled for later: stored and counted at once, offered to no device before its send
 * time, offered once when the clock reaches it, and cancellable before then.
 */
class ScheduledBroadcastTest {
  static final String NOON = "2026-12-08T12:00:00+08:00";
  static final String ONE_PM = "2026-12-08T13:00:00+08:00";

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(OffsetDateTime.parse(NOON).toInstant());
  RunningController controller;
  ProtocolAgent agent;

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, clock, o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store"));
    agent = ProtocolAgent.connect(controller.agentUri(), "agent-0", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    agent.next(ControllerWelcome.class, 30_000);
  }

  @AfterEach
  void stop() {
    agent.close();
    controller.close();
  }

  RunningController.Reply scheduled(String id, String sendAt) {
    return controller.post("/broadcasts", "{\"id\":\"" + id + "\",\"content\":{\"text\":\"午安\"},\"target\":{\"groupIds\":[\"g-1\"]},\"sendAt\":\"" + sendAt + "\"}");
  }

  boolean offered() {
    return agent.texts.stream().anyMatch(t -> t.contains("controller.job-offer"));
  }

  @Test
  void aScheduledBroadcastWaitsForItsTimeThenIsOfferedOnce() {
    RunningController.Reply created = scheduled("b-1", ONE_PM);

    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().get("jobs").asInt()).isEqualTo(1);
    JsonNode b = controller.get("/broadcasts/b-1").body();
    assertThat(instant(b.get("sendAt"))).isEqualTo(OffsetDateTime.parse(ONE_PM).toInstant());
    assertThat(b.get("progress").get("QUEUED").asInt()).isEqualTo(1);
    // A minute before its time the device, idle, is still offered nothing.
    clock.advance(Duration.ofMinutes(59));
    controller.awaitDispatchPasses();
    assertThat(offered()).as("offered before its send time").isFalse();

    clock.advance(Duration.ofMinutes(1));
    ControllerJobOffer offer = agent.next(ControllerJobOffer.class, 30_000);

    assertThat(offer.jobId()).isEqualTo("broadcast:b-1:g-1");
    assertThat(controller.get("/jobs/" + offer.jobId()).body().get("state").asText()).isEqualTo("LEASED");
    assertThat(controller.get("/broadcasts").body().get(0).get("sendAt").isNull()).isFalse();
  }

  @Test
  void aScheduledBroadcastCancelledBeforeItsTimeIsNeverOffered() {
    assertThat(scheduled("b-2", ONE_PM).status()).isEqualTo(201);

    RunningController.Reply cancelled = controller.post("/broadcasts/b-2/cancel", "{\"reason\":\"wrong text\"}");

    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.body().get("cancelled").asInt()).isEqualTo(1);
    clock.advance(Duration.ofHours(2));
    controller.awaitDispatchPasses();
    assertThat(offered()).isFalse();
    assertThat(controller.get("/broadcasts/b-2").body().get("progress").get("CANCELLED").asInt()).isEqualTo(1);
  }

  @Test
  void aBroadcastWithoutASendTimeIsDueAtOnceAndSaysSo() {
    assertThat(controller.post("/broadcasts", Fixtures.aBroadcast("b-3", "hello", "g-1")).status()).isEqualTo(201);

    assertThat(agent.next(ControllerJobOffer.class, 30_000).jobId()).isEqualTo("broadcast:b-3:g-1");
    assertThat(controller.get("/broadcasts/b-3").body().get("sendAt").isNull()).isTrue();
  }

  static Instant instant(JsonNode n) {
    return n.isNumber() ? Instant.ofEpochMilli(n.asLong()) : Instant.parse(n.asText());
  }
}
