package com.wecomrpa.controller;

import com.wecomrpa.controller.store.TestStores;
import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.testing.Eventually;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A real controller on a real H2 file and a loopback port, with a blocking HTTP client for tests. */
final class RunningController implements AutoCloseable {
  static final String AGENT_TOKEN = "test-agent-token-0123";
  static final String ADMIN_TOKEN = "test-admin-token-4567";

  record Reply(int status, JsonNode body) {}

  final ControllerOptions options;
  private final Clock clock;
  private final Vertx vertx = com.wecomrpa.controller.telemetry.Telemetry.vertx();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private Controller controller;
  private String deployment;

  private RunningController(ControllerOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
  }

  static RunningController start(Path dataDir, Clock clock, UnaryOperator<ControllerOptions> tweak) {
    ControllerOptions o = TestStores.on(tweak.apply(ControllerOptions.defaults(dataDir, AGENT_TOKEN).withLimitProfile(com.wecomrpa.controller.limits.LimitProfile.UNPACED).withPort(0).withClustered(false).withAdminToken(ADMIN_TOKEN)));
    RunningController rc = new RunningController(o, clock);
    rc.deploy();
    return rc;
  }

  private void deploy() {
    controller = new Controller(options, clock);
    deployment = await(vertx.deployVerticle(controller));
  }

  /** Stops the controller (closing its database) and starts a new one on the same data. */
  void restart() {
    await(vertx.undeploy(deployment));
    deploy();
  }

  /** Runs the daily stage sweep and waits until a run that saw the clock as it is now has finished. */
  void sweepStages() {
    await(controller.sweepStagesNow());
  }

  /** Waits until the plan expansion has run {@code n} more times than now. */
  void awaitExpansions(int n) {
    awaitMore("plan expansion", controller::expansionRuns, n);
  }

  /**
   * Waits until two dispatch passes have finished after now: an offer the controller was going to
   * make has then been sent, so its absence a moment later means it was not made.
   */
  void awaitDispatchPasses() {
    awaitMore("dispatch pass", controller::dispatchPasses, 2);
  }

  /** Waits until the lease sweep has run {@code n} more times than now (runs this node made, failed ones too). */
  void awaitLeaseSweeps(int n) {
    awaitMore("lease sweep", controller::leaseSweepRuns, n);
  }

  private static void awaitMore(String what, java.util.function.LongSupplier runs, int n) {
    long target = runs.getAsLong() + n;
    Eventually.waitUntil(what + " ran " + n + " more times", Duration.ofSeconds(30), () -> runs.getAsLong() >= target);
  }

  int port() {
    return controller.port();
  }

  java.util.List<String> apiOperations() {
    return controller.apiOperations();
  }

  URI agentUri() {
    return URI.create("ws://127.0.0.1:" + port() + "/agent");
  }

  Reply get(String path) {
    return get(path, ADMIN_TOKEN);
  }

  Reply post(String path, String json) {
    return post(path, json, ADMIN_TOKEN);
  }

  /** A GET as the holder of {@code token} (null: no Authorization header). */
  Reply get(String path, String token) {
    return send(authorized(HttpRequest.newBuilder(uri(path)), token).GET().build());
  }

  Reply post(String path, String json, String token) {
    return send(authorized(HttpRequest.newBuilder(uri(path)), token).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  Reply delete(String path, String token) {
    return send(authorized(HttpRequest.newBuilder(uri(path)), token).DELETE().build());
  }

  private static HttpRequest.Builder authorized(HttpRequest.Builder b, String token) {
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  Reply put(String path, String json) {
    return send(authorized(HttpRequest.newBuilder(uri(path)), ADMIN_TOKEN).header("content-type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** Polls a GET until {@code check} passes or the timeout ends; returns the last reply. */
  Reply await(String path, java.util.function.Predicate<JsonNode> check, Duration timeout) {
    return Eventually.settle(timeout, () -> get(path), r -> check.test(r.body()));
  }

  /** The body of a GET outside the API (e.g. /metrics, /console/), without a token. */
  String raw(String absolutePath) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + absolutePath)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + "/api/v1" + path);
  }

  private Reply send(HttpRequest req) {
    try {
      HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      String body = resp.body();
      return new Reply(resp.statusCode(), body == null || body.isEmpty() ? null : WireCodec.mapper().readTree(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
