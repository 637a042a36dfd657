package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.access.AccessPolicy;
import com.wecomrpa.controller.caller.Role;
import com.wecomrpa.controller.api.OpenApiDocument;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.FailureKind;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.Simulator;
import com.wecomrpa.simulator.SimulatorOptions;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * openapi.yaml is the API's contract: every route is documented with the roles the access policy
 * gives it, every documented route exists, and every documented example, sent as written to a real
 * controller with a real (protocol-level) agent, is accepted.
 */
class OpenApiContractTest {
  static final ObjectMapper JSON = new ObjectMapper();
  /** A 1x1 PNG: the screenshot an attempt leaves. */
  static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

  @TempDir Path dir;
  RunningController controller;
  JsonNode doc;
  ProtocolAgent agent;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** The platform's admin API a handover calls: the real simulator's, which knows acc-1's customer c-1. */
  io.vertx.core.Vertx platformVertx;
  Simulator platform;

  @BeforeEach
  void start() throws Exception {
    platformVertx = io.vertx.core.Vertx.vertx();
    platform = new Simulator(platformVertx, SimulatorOptions.defaults().withPort(0), java.time.Clock.systemUTC());
    platform.start().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    platform.world().addAccounts(List.of(new ChatWorld.Account("acc-1", null), new ChatWorld.Account("acc-2", null)));
    platform.world().addContacts(List.of(new ChatWorld.Contact("c-1", "acc-1", "王女士")));
    controller = RunningController.start(dir, Fixtures.middayInShanghai(),
        o -> o.withPlatformApi(new ControllerOptions.PlatformApi("http://127.0.0.1:" + platform.port(), null, null)));
    doc = JSON.valueToTree(OpenApiDocument.load());
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    controller.close();
    platformVertx.close();
  }

  record Op(String method, String path, JsonNode spec) {
    String key() {
      return method + " " + path;
    }
  }

  List<Op> operations() {
    List<Op> ops = new ArrayList<>();
    doc.get("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
      if (List.of("get", "post", "put", "delete").contains(m.getKey())) {
        ops.add(new Op(m.getKey().toUpperCase(Locale.ROOT), p.getKey(), m.getValue()));
      }
    }));
    return ops;
  }

  @Test
  void everyRouteIsDocumentedWithTheRolesThePolicyGivesItAndNothingElseIs() throws Exception {
    Set<String> documented = operations().stream().map(Op::key).collect(Collectors.toCollection(TreeSet::new));
    Set<String> served = new TreeSet<>(controller.apiOperations());

    assertThat(documented).as("documented routes").isEqualTo(served);
    for (Op op : operations()) {
      Set<String> roles = new TreeSet<>();
      op.spec().get("x-roles").forEach(r -> roles.add(r.asText()));
      if (roles.equals(Set.of("public"))) {
        assertThat(op.spec().get("security")).as(op.key() + " is public").isEmpty();
        continue;
      }
      Set<String> policy = AccessPolicy.allowed(HttpMethod.valueOf(op.method()), op.path()).stream()
          .filter(r -> r != Role.AGENT).map(r -> r.name().toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new));
      assertThat(roles).as("x-roles of " + op.key()).isEqualTo(policy);
      assertThat(op.spec().get("summary")).as("summary of " + op.key()).isNotNull();
    }
    HttpResponse<String> served2 = http.send(HttpRequest.newBuilder(URI.create(base() + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(served2.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(served2.body())).isEqualTo(doc);
  }

  @Test
  void everyDocumentedExampleIsAcceptedAsWritten() throws Exception {
    List<Op> ops = operations();
    List<Op> order = new ArrayList<>();
    // Changes in the document's order, then reads, then deletions (a customer's erasure last: the
    // others act on that customer).
    ops.stream().filter(o -> !o.method().equals("GET") && !o.method().equals("DELETE")).forEach(order::add);
    ops.stream().filter(o -> o.method().equals("GET")).forEach(order::add);
    ops.stream().filter(o -> o.method().equals("DELETE")).sorted(java.util.Comparator.comparing(o -> o.key().equals("DELETE /customers/{id}"))).forEach(order::add);
    // Values only a run can know, put in place of the example's.
    Map<String, String> dynamic = new HashMap<>();
    Set<String> tried = new LinkedHashSet<>();
    for (Op op : order) {
      if (op.key().equals("POST /scripts/{client}/promote")) {
        // A canary to promote: the rollout example again (the rollback example ended it).
        send(find(ops, "PUT /scripts/{client}/rollout"), dynamic);
      }
      if (op.key().equals("GET /devices/{id}/screen")) {
        // A look asks the device's agent for pictures; the agent answers with one, as a real one does.
        assertThat(send(op, dynamic).statusCode()).as("no picture before the agent sends one").isEqualTo(204);
        var watch = agent.next(com.wecomrpa.protocol.ControllerWatch.class, 10_000);
        agent.send(new com.wecomrpa.protocol.AgentScreen(watch.deviceId(), null, null, java.util.Base64.getEncoder().encodeToString(png()), System.currentTimeMillis()));
        com.wecomrpa.testing.Eventually.until("the picture served", java.time.Duration.ofSeconds(10), () -> {
          try {
            return send(op, dynamic).statusCode();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }, status -> status == 200);
      }
      if (op.key().equals("POST /backups") && com.wecomrpa.controller.store.TestStores.postgres()) {
        // PostgreSQL is backed up with pg_dump: the documented refusal, naming the field.
        HttpResponse<String> refused = send(op, dynamic);
        assertThat(refused.statusCode()).as(op.key() + " on PostgreSQL answered " + refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("\"engine\"");
        tried.add(op.key());
        continue;
      }
      HttpResponse<String> r = send(op, dynamic);
      int expected = op.spec().get("responses").has("201") ? 201 : 200;
      assertThat(r.statusCode()).as(op.key() + " answered " + r.body()).isEqualTo(expected);
      tried.add(op.key());
      after(op, r, dynamic);
    }
    assertThat(tried).hasSize(ops.size());
  }

  private static byte[] png() throws java.io.IOException {
    var out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
  }

  /** What the examples after this one need: an agent, evidence of failures, a busy device, ids. */
  void after(Op op, HttpResponse<String> r, Map<String, String> dynamic) throws Exception {
    switch (op.key()) {
      case "POST /accounts" -> {
        agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
        agent.next(ControllerWelcome.class, 30_000);
        // The account the handover example hands acc-1's customer to.
        assertThat(controller.post("/accounts", "{\"id\":\"acc-2\",\"platform\":\"wecom\",\"displayName\":\"门店助手 2\",\"timeZone\":\"Asia/Shanghai\"}").status()).isEqualTo(201);
      }
      case "POST /broadcasts" -> {
        // g-1 and g-2 cannot be found on the device (so they can be retried and confirmed gone);
        // the third job keeps the device busy (so its lease can be released).
        for (int i = 0; i < 2; i++) {
          ControllerJobOffer o = agent.next(ControllerJobOffer.class, 10_000);
          agent.send(new AgentJobReport(UUID.randomUUID().toString(), o.jobId(), o.fencingToken(), o.deviceId(), Outcome.FAILED, "group-not-found",
              "target not found", PNG, Instant.now(), Instant.now(), "wecom-sim@1", null, null, FailureKind.TARGET));
          assertThat(agent.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
        }
        agent.next(ControllerJobOffer.class, 10_000);
        JsonNode tried = controller.get("/jobs/broadcast:b-1:g-1/executions").body();
        dynamic.put("GET /executions/{id}/screenshot id", tried.get(0).get("id").asText());
        // Each group the device could not find raised an alert about it (stored off the event loop).
        dynamic.put("POST /alerts/{id}/acknowledge id", alertAbout("group:g-1"));
        dynamic.put("POST /alerts/{id}/resolve id", alertAbout("group:g-2"));
      }
      case "POST /alerts/{id}/acknowledge" -> assertThat(JSON.readTree(r.body()).get("state").asText()).isEqualTo("acknowledged");
      case "POST /alerts/{id}/resolve" -> assertThat(JSON.readTree(r.body()).get("resolvedBy").asText()).isEqualTo("first admin");
      case "POST /groups/{id}/retry" -> {
        // g-1 tried again: its alert, acknowledged earlier, resolved itself, saying what fixed it.
        JsonNode alert = alert(dynamic.get("POST /alerts/{id}/acknowledge id"));
        assertThat(alert.get("state").asText()).isEqualTo("resolved");
        assertThat(alert.get("resolvedBy").asText()).isEqualTo("itself");
        assertThat(alert.get("resolveNote").asText()).contains("retried by");
      }
      case "POST /accounts/{id}/handover" -> {
        // The simulator, as the platform, moved the customer; the controller followed.
        assertThat(JSON.readTree(r.body()).get("customersMoved").toString()).isEqualTo("[\"c-1\"]");
        assertThat(platform.world().find("c-1").accountId()).isEqualTo("acc-2");
      }
      case "POST /broadcasts/{id}/cancel" -> {
        // g-1's held job ended; the job on the busy device finishes there.
        assertThat(JSON.readTree(r.body()).get("finishing").size()).isEqualTo(1);
        assertThat(controller.get("/jobs/broadcast:b-1:g-1").body().get("state").asText()).isEqualTo("CANCELLED");
      }
      case "POST /jobs/{id}/retry" ->
          // Its one attempt failed for certain (group not found): queued again, not verified first.
          assertThat(JSON.readTree(r.body()).get("state").asText()).isEqualTo("QUEUED");
      case "POST /jobs/{id}/cancel" -> assertThat(JSON.readTree(r.body()).get("state").asText()).isEqualTo("CANCELLED");
      case "POST /tokens" -> dynamic.put("DELETE /tokens/{id} id", JSON.readTree(r.body()).get("id").asText());
      case "POST /plans" ->
          // The customer plan an operator starts for one customer by hand (its own trigger never fires here).
          assertThat(controller.post("/plans", "{\"id\":\"day1-hello\",\"name\":\"首日问候\",\"kind\":\"customer\",\"trigger\":{\"event\":\"tag_added\",\"tag\":\"vip\"},"
              + "\"steps\":[{\"offset\":\"+1d\",\"content\":{\"kind\":\"text\",\"text\":\"{nickname} 您好\"}}]}").status()).isEqualTo(201);
      case "POST /customers/{id}/plans/{planId}/end" -> assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("exited");
      case "PUT /customers/{id}/tags/{tag}" -> assertThat(JSON.readTree(r.body()).get("added").asBoolean()).isTrue();
      case "POST /webhooks" -> {
        dynamic.put("DELETE /webhooks/{id} id", JSON.readTree(r.body()).get("id").asText());
        dynamic.put("GET /webhooks/{id}/deliveries id", JSON.readTree(r.body()).get("id").asText());
      }
      case "POST /login-links" -> dynamic.put("POST /login code", JSON.readTree(r.body()).get("code").asText());
      default -> { }
    }
  }

  /** The id of the alert about {@code subject}, once it is stored (it is stored off the event loop). */
  String alertAbout(String subject) {
    return com.wecomrpa.testing.Eventually.until("an alert about " + subject, java.time.Duration.ofSeconds(30),
        () -> java.util.stream.StreamSupport.stream(controller.get("/alerts").body().spliterator(), false)
            .filter(a -> subject.equals(a.path("subject").asText())).findFirst().map(a -> a.get("id").asText()).orElse(null),
        java.util.Objects::nonNull);
  }

  JsonNode alert(String id) throws Exception {
    for (JsonNode a : controller.get("/alerts").body()) {
      if (a.get("id").asText().equals(id)) {
        return a;
      }
    }
    throw new AssertionError("no alert " + id);
  }

  HttpResponse<String> send(Op op, Map<String, String> dynamic) throws Exception {
    String path = op.path();
    StringBuilder query = new StringBuilder();
    for (JsonNode p : parameters(op)) {
      String value = dynamic.getOrDefault(op.key() + " " + p.get("name").asText(), p.get("example").asText());
      if (p.get("in").asText().equals("path")) {
        path = path.replace("{" + p.get("name").asText() + "}", URLEncoder.encode(value, StandardCharsets.UTF_8));
      } else {
        query.append(query.length() == 0 ? "?" : "&").append(p.get("name").asText()).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path + query)).header("Authorization", "Bearer " + RunningController.ADMIN_TOKEN);
    JsonNode body = example(op);
    if (body != null && dynamic.containsKey(op.key() + " code")) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("code", dynamic.get(op.key() + " code"));
    }
    b.method(op.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (body != null) {
      b.header("content-type", "application/json");
    }
    if (op.spec().at("/responses/200/content").has("text/event-stream")) {
      // An endless stream: its status and first bytes are enough.
      HttpResponse<java.io.InputStream> s = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      String first = new String(s.body().readNBytes(10), StandardCharsets.UTF_8);
      s.body().close();
      return new FakeResponse(s.statusCode(), first);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  List<JsonNode> parameters(Op op) {
    List<JsonNode> out = new ArrayList<>();
    JsonNode ps = op.spec().get("parameters");
    if (ps != null) {
      ps.forEach(p -> out.add(resolve(p)));
    }
    return out;
  }

  JsonNode example(Op op) {
    JsonNode rb = op.spec().get("requestBody");
    if (rb == null) {
      return null;
    }
    JsonNode media = resolve(rb).get("content").get("application/json");
    if (media.has("example")) {
      return media.get("example").deepCopy();
    }
    Iterator<JsonNode> examples = media.get("examples").elements();
    return examples.next().get("value").deepCopy();
  }

  JsonNode resolve(JsonNode node) {
    if (!node.has("$ref")) {
      return node;
    }
    return doc.at(node.get("$ref").asText().substring(1));
  }

  static Op find(List<Op> ops, String key) {
    return ops.stream().filter(o -> o.key().equals(key)).findFirst().orElseThrow();
  }

  String base() {
    return controller.agentUri().toString().replace("ws://", "http://").replace("/agent", "/api/v1");
  }

  /** The status and first bytes of a streamed answer. */
  record FakeResponse(int statusCode, String body) implements HttpResponse<String> {
    public HttpRequest request() {
      return null;
    }

    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    public java.net.http.HttpHeaders headers() {
      return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
    }

    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return java.util.Optional.empty();
    }

    public URI uri() {
      return null;
    }

    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
