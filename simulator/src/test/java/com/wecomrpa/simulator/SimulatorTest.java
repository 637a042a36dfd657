package com.wecomrpa.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.Vertx;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  static final Instant T0 = Instant.parse("2026-11-22T01:00:00Z");
  Vertx vertx;
  Simulator sim;
  HttpClient browser;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    sim = new Simulator(vertx, SimulatorOptions.defaults().withPort(0), Clock.fixed(T0, ZoneOffset.UTC));
    sim.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  HttpResponse<String> call(String method, String path, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path));
    b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody()) : b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    return browser.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode json(HttpResponse<String> r) throws Exception {
    return WireCodec.mapper().readTree(r.body());
  }

  @Test
  void seededAccountsAndGroupsAreWhatALoggedInClientSeesAndSendsAreRecordedWithServerTime() throws Exception {
    assertThat(call("POST", "/sim/api/accounts", "{\"accounts\":[{\"id\":\"acc-1\",\"name\":\"Bot\"},{\"id\":\"acc-2\",\"name\":\"Other\"}]}").statusCode()).isEqualTo(201);
    assertThat(call("POST", "/sim/api/groups", "{\"groups\":[{\"id\":\"g-1\",\"accountId\":\"acc-1\",\"name\":\"门店群 1\"},{\"id\":\"g-2\",\"accountId\":\"acc-2\",\"name\":\"门店群 2\"}]}").statusCode()).isEqualTo(201);

    assertThat(call("GET", "/client/conversations", null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/login?account=acc-1", null).body()).contains("client.js");
    JsonNode list = json(call("GET", "/client/conversations", null));
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("name").asText()).isEqualTo("门店群 1");

    assertThat(call("POST", "/client/conversations/g-1/messages", "{\"text\":\"早安\"}").statusCode()).isEqualTo(201);
    assertThat(call("POST", "/client/conversations/g-2/messages", "{\"text\":\"not mine\"}").statusCode()).isEqualTo(403);
    assertThat(call("POST", "/client/conversations/g-1/messages", "{\"text\":\"  \"}").statusCode()).isEqualTo(400);

    JsonNode record = json(call("GET", "/sim/api/groups/g-1/messages", null));
    assertThat(record).hasSize(1);
    assertThat(record.get(0).get("text").asText()).isEqualTo("早安");
    assertThat(record.get(0).get("accountId").asText()).isEqualTo("acc-1");
    assertThat(record.get(0).get("receivedAt").asText()).isEqualTo("2026-11-22T01:00:00Z");
    assertThat(json(call("GET", "/sim/api/message-counts", null)).get("g-2").asInt()).isZero();
  }

  @Test
  void thePlatformsFilterRefusesAMessageWithAFilteredWordAndTheGroupNeverGetsIt() throws Exception {
    call("POST", "/sim/api/accounts", "{\"accounts\":[{\"id\":\"acc-1\"}]}");
    call("POST", "/sim/api/groups", "{\"groups\":[{\"id\":\"g-1\",\"accountId\":\"acc-1\",\"name\":\"门店群 1\"}]}");
    call("GET", "/login?account=acc-1", null);
    assertThat(json(call("PUT", "/sim/api/refused-words", "{\"words\":[\"最低价\"]}")).get("words").get(0).asText()).isEqualTo("最低价");

    HttpResponse<String> refused = call("POST", "/client/conversations/g-1/messages", "{\"text\":\"全网最低价\"}");
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(json(refused).get("refused").asText()).isEqualTo("最低价");
    assertThat(json(refused).get("error").asText()).contains("消息发送失败").contains("最低价");
    assertThat(call("POST", "/client/conversations/g-1/messages", "{\"text\":\"早安\"}").statusCode()).isEqualTo(201);

    call("PUT", "/sim/api/refused-words", "{\"words\":[]}");
    assertThat(call("POST", "/client/conversations/g-1/messages", "{\"text\":\"全网最低价\"}").statusCode()).as("the filter lifted").isEqualTo(201);
    assertThat(json(call("GET", "/sim/api/groups/g-1/messages", null)).findValuesAsText("text")).containsExactly("早安", "全网最低价");
  }

  @Test
  void aBatchWithARepeatedIdAddsNothing() throws Exception {
    call("POST", "/sim/api/accounts", "{\"accounts\":[{\"id\":\"acc-1\"}]}");

    HttpResponse<String> r = call("POST", "/sim/api/groups", "{\"groups\":[{\"id\":\"g-1\",\"accountId\":\"acc-1\",\"name\":\"a\"},{\"id\":\"g-1\",\"accountId\":\"acc-1\",\"name\":\"b\"}]}");

    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(sim.world().messageCounts()).isEmpty();
    assertThat(call("POST", "/sim/api/accounts", "{\"accounts\":[{\"id\":\"acc-1\"}]}").statusCode()).isEqualTo(409);
  }
}
