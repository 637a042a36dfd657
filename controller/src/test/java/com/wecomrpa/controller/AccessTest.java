package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.wecomrpa.protocol.ControllerRefusal;
import com.wecomrpa.protocol.ControllerWelcome;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AccessTest {
  @TempDir Path dir;
  RunningController controller;
  final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void start() {
    log.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
    controller = RunningController.start(dir, Clock.systemUTC(), o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
  }

  @AfterEach
  void stop() {
    controller.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
  }

  record Issued(String id, String token) {}

  Issued issue(String role, String extra) {
    RunningController.Reply r = controller.post("/tokens", "{\"name\":\"" + role + " of tests\",\"role\":\"" + role + "\"" + extra + "}");
    assertThat(r.status()).isEqualTo(201);
    return new Issued(r.body().get("id").asText(), r.body().get("token").asText());
  }

  String token(String role, String extra) {
    return issue(role, extra).token();
  }

  @Test
  void eachRoleCanDoExactlyItsPart() {
    String operator = token("operator", "");
    String viewer = token("viewer", "");
    String agent = token("agent", "");
    String group = Fixtures.aGroup("g-1", "acc-1", "t");

    // viewer: reads, changes nothing
    assertThat(controller.get("/accounts", viewer).status()).isEqualTo(200);
    assertThat(controller.post("/groups", group, viewer).status()).isEqualTo(403);
    assertThat(controller.get("/audit", viewer).status()).isEqualTo(403);
    // operator: groups, broadcasts, plans; not accounts or tokens
    assertThat(controller.post("/groups", group, operator).status()).isEqualTo(201);
    assertThat(controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hi", "g-1"), operator).status()).isEqualTo(201);
    assertThat(controller.post("/plans/none/pause", "", operator).status()).isEqualTo(404);
    assertThat(controller.post("/accounts", Fixtures.anAccount("acc-2"), operator).status()).isEqualTo(403);
    assertThat(controller.post("/tokens", "{\"name\":\"x\",\"role\":\"admin\"}", operator).status()).isEqualTo(403);
    // agent: no part of the REST API
    assertThat(controller.get("/jobs", agent).status()).isEqualTo(403);
    // admin: accounts, tokens, audit
    assertThat(controller.post("/accounts", Fixtures.anAccount("acc-2")).status()).isEqualTo(201);
    assertThat(controller.get("/audit").status()).isEqualTo(200);
  }

  @Test
  void missingWrongAndRevokedTokensAreRefused() {
    Issued issued = issue("viewer", "");
    String viewer = issued.token();
    assertThat(controller.get("/accounts", null).status()).isEqualTo(401);
    assertThat(controller.get("/accounts", "wr_not-a-token").status()).isEqualTo(401);
    assertThat(controller.get("/health", null).status()).isEqualTo(200);

    assertThat(controller.get("/accounts", viewer).status()).isEqualTo(200);
    assertThat(controller.delete("/tokens/" + issued.id(), RunningController.ADMIN_TOKEN).status()).isEqualTo(200);

    assertThat(controller.get("/accounts", viewer).status()).isEqualTo(401);
    assertThat(controller.get("/audit").body().toString()).contains("token.revoke");
  }

  @Test
  void aTokenNeverAppearsInLogsOrResponsesAfterItsCreation() {
    String operator = token("operator", "");
    controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "t"), operator);
    controller.get("/accounts", "wr_wrong");

    String listed = controller.get("/tokens").body().toString();
    String audit = controller.get("/audit").body().toString();

    assertThat(listed).contains("operator of tests").doesNotContain(operator).doesNotContain(RunningController.ADMIN_TOKEN);
    assertThat(audit).contains("token.create").doesNotContain(operator);
    assertThat(log.list).isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(operator) || e.getFormattedMessage().contains(RunningController.ADMIN_TOKEN));
  }

  @Test
  void anAgentTokenOpensTheGatewayOnlyForItsOwnDevices() {
    String agent = token("agent", ",\"devices\":[\"dev-1\"]");

    ProtocolAgent own = ProtocolAgent.connect(controller.agentUri(), "agent-a", agent, "dev-1", "acc-1");
    ProtocolAgent other = ProtocolAgent.connect(controller.agentUri(), "agent-b", agent, "dev-2", "acc-1");
    ProtocolAgent viewerAsAgent = ProtocolAgent.connect(controller.agentUri(), "agent-c", token("viewer", ""), "dev-3", "acc-1");
    try {
      assertThat(own.next(ControllerWelcome.class, 30_000).agentId()).isEqualTo("agent-a");
      assertThat(other.next(ControllerRefusal.class, 30_000).reason()).contains("does not cover device dev-2");
      assertThat(viewerAsAgent.next(ControllerRefusal.class, 30_000).reason()).contains("invalid agent token");
    } finally {
      own.close();
      other.close();
      viewerAsAgent.close();
    }
  }
}
