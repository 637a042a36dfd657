package com.wecomrpa.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.Controller;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.controller.store.LocalPostgres;
import com.wecomrpa.testing.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller on a PostgreSQL server of its own, which the test stops and starts again: the node
 * says it is not ready, refuses agents while the database is gone, and takes them again after.
 */
class ReadinessTest {
  @TempDir Path data;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void aNodeThatLosesItsDatabaseIsNotReadyAndRefusesAgentsUntilItIsBack() throws Exception {
    Path pgDir = LocalPostgres.temporaryFolder("wecom-rpa-ready-pg-");
    LocalPostgres pg = LocalPostgres.start(pgDir, 0);
    Vertx vertx = Vertx.vertx();
    try {
      String url = pg.database("ready");
      Controller controller = new Controller(
          ControllerOptions.defaults(data, "test-agent-token-0123").withPort(0).withClustered(false).withAdminToken("admin-token-0123").withDb(url, pg.credentials()),
          Clock.systemUTC());
      vertx.deployVerticle(controller).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      int port = controller.port();

      assertThat(get(port, "/health").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(port, "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonObject body = new JsonObject(ready.body());
      assertThat(body.getString("engine")).isEqualTo("postgresql");
      assertThat(body.getJsonObject("cluster").getBoolean("sweepsLed")).isTrue();

      pg.close();
      awaitReady(port, 503, Duration.ofSeconds(40));
      assertThat(new JsonObject(get(port, "/ready").body()).getString("database")).isEqualTo("unreachable");
      assertThat(get(port, "/health").statusCode()).as("still alive").isEqualTo(200);
      assertThat(agentRefused(vertx, port)).as("a new agent is turned away").isTrue();

      LocalPostgres again = LocalPostgres.start(pgDir, pg.port());
      try {
        awaitReady(port, 200, Duration.ofSeconds(60));
        assertThat(agentRefused(vertx, port)).as("agents are taken again").isFalse();
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        again.close();
      }
    } finally {
      pg.discard();
    }
  }

  /** Whether the gateway closes a new agent connection at once (1013: not ready). */
  private static boolean agentRefused(Vertx vertx, int port) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    // The close handler is set on the connection's own event loop, where the connect completes: a
    // gateway that closes at once cannot close before the handler is there.
    var ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/agent"))
        .map(socket -> socket.closeHandler(v -> closed.complete(socket.closeStatusCode())))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      return closed.get(2, TimeUnit.SECONDS) == 1013;
    } catch (java.util.concurrent.TimeoutException stillOpen) {
      ws.close();
      return false;
    } finally {
      client.close();
    }
  }

  private void awaitReady(int port, int status, Duration within) {
    Eventually.until("/ready answers " + status, within, () -> {
      try {
        HttpResponse<String> r = get(port, "/ready");
        return r.statusCode() + " " + r.body();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, seen -> seen.startsWith(status + " "));
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
