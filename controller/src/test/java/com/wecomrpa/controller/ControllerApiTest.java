package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

public class ControllerApiTest {
  @TempDir Path dir;
  RunningController controller;

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, Clock.systemUTC(), o -> o);
    assertThat(controller.post("/accounts", Fixtures.anAccount("acc-1")).status()).isEqualTo(201);
    assertThat(controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store:001")).status()).isEqualTo(201);
  }

  @AfterEach
  void stop() {
    controller.close();
  }




  @Test
  void theTwoHundredFirstGroupIsRefusedAndTheFirstTwoHundredAreKept() {
    controller.post("/accounts", Fixtures.anAccount("acc-2"));
    StringBuilder batch = new StringBuilder("{\"groups\":[");
    for (int i = 1; i <= 200; i++) {
      batch.append(i > 1 ? "," : "").append(Fixtures.aGroup("big-" + i, "acc-2", "t"));
    }
    assertThat(controller.post("/groups/batch", batch.append("]}").toString()).status()).isEqualTo(201);

    RunningController.Reply refused = controller.post("/groups", Fixtures.aGroup("big-201", "acc-2", "t"));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().get("field").asText()).isEqualTo("accountId");
    assertThat(refused.body().get("error").asText()).contains("acc-2").contains("200");
    assertThat(controller.get("/groups?accountId=acc-2").body()).hasSize(200);
    assertThat(controller.get("/groups/big-201").status()).isEqualTo(404);
    assertThat(controller.get("/accounts/acc-2").body().get("groupCount").asInt()).isEqualTo(200);
  }

  static Stream<Arguments> badInput() {
    String longText = "长".repeat(2001);
    return Stream.of(
        Arguments.of("/accounts", "{\"id\":", 400, "body"),
        Arguments.of("/accounts", "", 400, "body"),
        Arguments.of("/accounts", "{\"id\":\"acc-9\",\"platform\":\"wecom\",\"displayName\":\"x\",\"timeZone\":\"Asia/Shanghai\",\"colour\":\"red\"}", 400, "colour"),
        Arguments.of("/accounts", "{\"id\":\"acc-9\",\"platform\":\"wecom\",\"timeZone\":\"Asia/Shanghai\"}", 400, "displayName"),
        Arguments.of("/accounts", "{\"id\":\"acc-9\",\"platform\":\"qq\",\"displayName\":\"x\",\"timeZone\":\"Asia/Shanghai\"}", 400, "platform"),
        Arguments.of("/accounts", "{\"id\":\"acc-9\",\"platform\":\"wecom\",\"displayName\":\"x\",\"timeZone\":\"Mars/Base\"}", 400, "timeZone"),
        Arguments.of("/accounts", "{\"id\":\"acc 9!\",\"platform\":\"wecom\",\"displayName\":\"x\",\"timeZone\":\"Asia/Shanghai\"}", 400, "id"),
        Arguments.of("/accounts", Fixtures.anAccount("acc-1"), 409, "id"),
        Arguments.of("/groups", Fixtures.aGroup("g-9", "acc-404", "t"), 404, "accountId"),
        Arguments.of("/groups", Fixtures.aGroup("g-1", "acc-1", "t"), 409, "id"),
        Arguments.of("/groups", "{\"id\":\"g-9\",\"name\":\"\",\"accountId\":\"acc-1\"}", 400, "name"),
        Arguments.of("/groups/batch", "{\"groups\":[" + Fixtures.aGroup("g-8", "acc-1", "t") + "," + Fixtures.aGroup("g-8", "acc-1", "t") + "]}", 409, "groups[1].id"),
        Arguments.of("/groups/batch", "{\"groups\":[" + Fixtures.aGroup("g-8", "acc-1", "t") + ",{\"id\":\"g-7\",\"accountId\":\"acc-1\"}]}", 400, "groups[1].name"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"target\":{\"groupIds\":[\"g-1\"]}}", 400, "content"),
        Arguments.of("/broadcasts", Fixtures.aBroadcast("b-9", "", "g-1"), 400, "content.text"),
        Arguments.of("/broadcasts", Fixtures.aBroadcast("b-9", "   ", "g-1"), 400, "content.text"),
        Arguments.of("/broadcasts", Fixtures.aBroadcast("b-9", longText, "g-1"), 400, "content.text"),
        Arguments.of("/broadcasts", Fixtures.aBroadcast("b-9", "hi", "g-404"), 404, "target.groupIds"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"kind\":\"video\",\"text\":\"x\"},\"target\":{\"groupIds\":[\"g-1\"]}}", 400, "content.kind"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\",\"font\":\"big\"},\"target\":{\"groupIds\":[\"g-1\"]}}", 400, "content.font"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\"},\"target\":{}}", 400, "target"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\"},\"target\":{\"tag\":\"nobody\"}}", 400, "target.tag"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\"},\"target\":{\"groupIds\":[\"g-1\",\"g-1\"]}}", 400, "target.groupIds"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\"},\"target\":{\"groupIds\":[\"g-1\"]},\"sendAt\":\"tomorrow 9am\"}", 400, "sendAt"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\"},\"target\":{\"groupIds\":[\"g-1\"]},\"sendAt\":\"2026-12-08T09:00:00\"}", 400, "sendAt"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\"},\"target\":{\"groupIds\":[\"g-1\"]},\"sendAt\":\"2020-01-01T09:00:00+08:00\"}", 400, "sendAt"),
        Arguments.of("/broadcasts", "{\"id\":\"b-9\",\"content\":{\"text\":\"x\"},\"target\":{\"groupIds\":[\"g-1\"]},\"sendAt\":\"2099-01-01T09:00:00+08:00\"}", 400, "sendAt"));
  }

  @ParameterizedTest(name = "{0} {2} {3}")
  @MethodSource("badInput")
  void badInputIsRefusedNamingTheFieldAndChangesNothing(String path, String body, int status, String field) {
    List<JsonNode> before = snapshot();

    RunningController.Reply reply = controller.post(path, body);

    assertThat(reply.status()).isEqualTo(status);
    assertThat(reply.body().get("field").asText()).isEqualTo(field);
    assertThat(reply.body().get("error").asText()).isNotBlank();
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void aDuplicateBroadcastIdIsRefusedAndQueuesNothingMore() {
    assertThat(controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1")).status()).isEqualTo(201);
    List<JsonNode> before = snapshot();

    RunningController.Reply again = controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello again", "g-1"));

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().get("field").asText()).isEqualTo("id");
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void everythingAcknowledgedSurvivesARestart() {
    controller.post("/accounts", Fixtures.anAccount("acc-2"));
    controller.post("/groups", Fixtures.aGroup("g-2", "acc-2", "store:002"));
    assertThat(controller.post("/broadcasts", "{\"id\":\"b-1\",\"content\":{\"text\":\"早安\"},\"target\":{\"tag\":\"store:002\"}}").status()).isEqualTo(201);
    List<JsonNode> before = snapshot();

    controller.restart();

    assertThat(snapshot()).isEqualTo(before);
    JsonNode b = controller.get("/broadcasts/b-1").body();
    assertThat(b.get("content").get("text").asText()).isEqualTo("早安");
    assertThat(b.get("progress").get("QUEUED").asInt()).isEqualTo(1);
    assertThat(controller.get("/groups/g-2").body().get("tags").get(0).asText()).isEqualTo("store:002");
  }

  private List<JsonNode> snapshot() {
    return List.of(
        controller.get("/accounts").body(),
        controller.get("/groups").body(),
        controller.get("/jobs").body());
  }
}
