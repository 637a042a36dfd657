package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.wecomrpa.controller.webhook.Signatures;
import com.wecomrpa.testing.Eventually;
import com.wecomrpa.time.ManualClock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Orders, stage rules, channel codes and webhooks through the API, on the engine under test: bad
 * input refused naming the field with nothing of the batch stored; a preview is what saving then
 * does; a code attributes its customers; a webhook step reaches a flaky receiver once under one
 * idempotency key, and event webhooks are signed.
 */
class JourneyApiTest {
  static final Instant NOON = Instant.parse("2026-09-01T04:00:00Z"); // 12:00 in Shanghai

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(NOON);
  RunningController controller;
  HttpServer receiver;

  record Call(String path, String key, String signature, String body) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final AtomicInteger failFirst = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    controller = RunningController.start(dir, clock, o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/accounts", Fixtures.anAccount("acc-2"));
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      calls.add(new Call(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Idempotency-Key"), ex.getRequestHeaders().getFirst(Signatures.HEADER), body));
      int status = failFirst.getAndDecrement() > 0 ? 503 : 200;
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    controller.close();
  }

  String hook(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  @Test
  void badInputIsRefusedNamingTheFieldAndNothingOfTheBatchIsStored() {
    RunningController.Reply r = controller.post("/orders", "{\"orders\":["
        + "{\"id\":\"o-1\",\"customerId\":\"c-1\",\"accountId\":\"acc-1\",\"amount\":30,\"products\":[\"coffee\"]},"
        + "{\"id\":\"o-404\",\"customerId\":\"c-1\",\"status\":\"refunded\"}]}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().toString()).contains("orders[1].id").contains("refund of unknown order o-404");
    assertThat(controller.get("/customers/c-1/orders").body()).as("the good order of the refused batch is not stored either").isEmpty();

    r = controller.post("/orders", "{\"orders\":[{\"id\":\"o-2\",\"customerId\":\"c-2\",\"accountId\":\"acc-1\",\"amount\":\"12.345\"}]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().toString()).contains("orders[0].amount");

    String good = "{\"fact\":\"order_count\",\"op\":\">=\",\"value\":1}";
    r = controller.put("/stage-rules", "{\"rules\":[{\"name\":\"buyer\",\"stage\":\"buyer\",\"when\":[" + good + "]},"
        + "{\"name\":\"x\",\"stage\":\"x\",\"when\":[" + good + ",{\"fact\":\"orders_per_week\",\"op\":\">\",\"value\":1}]}]}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().toString()).contains("rules[1].when[1].fact").contains("orders_per_week");
    assertThat(controller.get("/stage-rules").body().get("version").asInt()).as("no version saved").isZero();
    assertThat(controller.get("/stage-rules/versions").body()).isEmpty();
  }

  @Test
  void aPreviewIsWhatSavingTheRuleThenDoes() {
    StringBuilder orders = new StringBuilder("{\"orders\":[");
    for (int i = 1; i <= 30; i++) {
      for (int n = 0; n < i % 7; n++) {
        orders.append(orders.length() > 11 ? "," : "").append("{\"id\":\"o-").append(i).append('-').append(n).append("\",\"customerId\":\"c-").append(i)
            .append("\",\"accountId\":\"acc-").append(1 + i % 2).append("\",\"amount\":").append(10 + n).append(",\"at\":\"")
            .append(NOON.minus(Duration.ofDays(3L * n + i % 5))).append("\"}");
      }
    }
    assertThat(controller.post("/orders", orders.append("]}").toString()).status()).isEqualTo(200);
    String v1 = "{\"rules\":[{\"name\":\"repeat\",\"stage\":\"repeat\",\"when\":[{\"fact\":\"order_count\",\"op\":\">=\",\"value\":2}]},"
        + "{\"name\":\"first\",\"stage\":\"first_purchase\",\"when\":[{\"fact\":\"order_count\",\"op\":\">=\",\"value\":1}]}]}";
    assertThat(controller.put("/stage-rules", v1).status()).isEqualTo(200);
    String v2 = "{\"note\":\"super users from 5 orders\",\"rules\":[{\"name\":\"super\",\"stage\":\"super_user\",\"when\":[{\"fact\":\"order_count\",\"op\":\">=\",\"value\":5}]},"
        + "{\"name\":\"quiet\",\"stage\":\"quiet\",\"when\":[{\"fact\":\"days_since_last_order\",\"op\":\">=\",\"value\":4}]},"
        + "{\"name\":\"repeat\",\"stage\":\"repeat\",\"when\":[{\"fact\":\"order_count\",\"op\":\">=\",\"value\":2}]}]}";

    JsonNode preview = controller.post("/stage-rules/preview", v2).body();
    assertThat(controller.get("/stage-rules").body().get("version").asInt()).as("a preview saves nothing").isEqualTo(1);
    JsonNode saved = controller.put("/stage-rules", v2).body();

    assertThat(saved.get("version").asInt()).isEqualTo(2);
    assertThat(saved.get("moves")).as("saving moved exactly whom the preview said").isEqualTo(preview);
    assertThat(preview.get("moving").asInt()).isGreaterThan(5);
    int movedToSuper = 0;
    for (JsonNode m : preview.get("moves")) {
      assertThat(m.get("examples").size()).isBetween(1, 3);
      movedToSuper += m.get("to").asText().equals("super_user") ? m.get("count").asInt() : 0;
    }
    assertThat(controller.get("/stages").body().get("customers").path("super_user").asInt()).isEqualTo(movedToSuper);
    JsonNode journey = controller.get("/customers/c-6/stage").body();
    assertThat(journey.get("stage").asText()).isEqualTo("super_user");
    assertThat(journey.get("transitions").get(0).get("rule").asText()).isEqualTo("super");
    assertThat(journey.get("transitions").get(0).get("ruleVersion").asInt()).isEqualTo(2);
    assertThat(controller.get("/audit").body().toString()).contains("stage-rules.save");
  }

  @Test
  void aChannelCodeOwnsItsCustomersAndReportsWhatTheyBought() {
    controller.post("/plans", "{\"id\":\"welcome\",\"name\":\"welcome\",\"kind\":\"customer\",\"trigger\":{\"event\":\"friend_added\"},"
        + "\"steps\":[{\"offset\":\"+3m\",\"content\":{\"kind\":\"text\",\"text\":\"欢迎 {nickname}\"}}]}");
    assertThat(controller.put("/channel-codes/store-12-li", "{\"accountId\":\"acc-2\",\"source\":\"store-12\",\"tags\":[\"门店12\"],\"welcomePlan\":\"welcome\"}").status())
        .isEqualTo(200);
    assertThat(controller.put("/channel-codes/bad", "{\"accountId\":\"acc-9\",\"source\":\"x\"}").body().toString()).contains("accountId");
    RunningController.Reply r = controller.post("/events", "{\"events\":[{\"id\":\"e-1\",\"type\":\"customer_added\",\"customerId\":\"c-1\",\"channelCode\":\"store-12-li\",\"nickname\":\"李\"},"
        + "{\"id\":\"e-2\",\"type\":\"customer_added\",\"customerId\":\"c-2\",\"channelCode\":\"store-12-li\"}]}");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    assertThat(controller.post("/events", "{\"events\":[{\"id\":\"e-3\",\"type\":\"customer_added\",\"customerId\":\"c-3\",\"channelCode\":\"nope\"}]}").body().toString())
        .contains("events[0].channelCode");
    controller.post("/orders", "{\"orders\":[{\"id\":\"o-1\",\"customerId\":\"c-1\",\"amount\":99.5},{\"id\":\"o-2\",\"customerId\":\"c-1\",\"amount\":0.5}]}");
    controller.post("/events", "{\"events\":[{\"id\":\"e-4\",\"type\":\"customer_deleted\",\"customerId\":\"c-2\"}]}");

    assertThat(controller.get("/customers/c-1").body().get("accountId").asText()).as("the code's account owns the customer").isEqualTo("acc-2");
    assertThat(controller.get("/customers/c-1/tags").body().toString()).contains("门店12");
    controller.awaitExpansions(2);
    assertThat(controller.get("/jobs?planId=welcome").body()).as("the code's welcome plan, once per customer").hasSize(2);
    JsonNode report = controller.get("/channel-codes/report").body();
    JsonNode row = report.get("byCode").get(0);
    assertThat(row.get("key").asText()).isEqualTo("store-12-li");
    assertThat(row.get("added").asInt()).isEqualTo(2);
    assertThat(row.get("stillThere").asInt()).isEqualTo(1);
    assertThat(row.get("orders").asInt()).isEqualTo(2);
    assertThat(row.get("revenue").decimalValue()).isEqualByComparingTo("100.00");
    assertThat(report.get("byAccount").get(0).get("key").asText()).isEqualTo("acc-2");
  }

  @Test
  void aWebhookStepReachesAFlakyReceiverOnceUnderOneKeyAndEventsAreSigned() throws Exception {
    RunningController.Reply sub = controller.post("/webhooks", "{\"url\":\"" + hook("/events") + "\",\"events\":[\"job.succeeded\",\"job.failed\"]}");
    assertThat(sub.status()).isEqualTo(201);
    String secret = sub.body().get("secret").asText();
    assertThat(controller.get("/webhooks").body().toString()).as("the secret is shown once").doesNotContain(secret);

    RunningController.Reply plan = controller.post("/plans", "{\"id\":\"sms\",\"name\":\"SMS after the add\",\"kind\":\"customer\",\"trigger\":{\"event\":\"friend_added\"},"
        + "\"steps\":[{\"offset\":\"+1m\",\"content\":{\"kind\":\"webhook\",\"method\":\"POST\",\"url\":\"" + hook("/sms") + "\","
        + "\"body\":{\"to\":\"{customer_id}\",\"text\":\"{nickname}, welcome\"},\"timeout\":\"5s\"}}]}");
    assertThat(plan.status()).as(plan.body().toString()).isEqualTo(201);
    assertThat(controller.post("/plans", "{\"id\":\"bad\",\"name\":\"x\",\"kind\":\"customer\",\"trigger\":{\"event\":\"friend_added\"},"
        + "\"steps\":[{\"offset\":\"+1m\",\"content\":{\"kind\":\"webhook\",\"url\":\"ftp://x\"}}]}").body().toString()).contains("steps[0].content.url");

    failFirst.set(2);
    controller.post("/events", "{\"events\":[{\"id\":\"e-1\",\"type\":\"friend_added\",\"accountId\":\"acc-1\",\"customerId\":\"c-1\",\"nickname\":\"王\"}]}");
    controller.awaitExpansions(2);
    clock.advance(Duration.ofMinutes(2));
    JsonNode job = awaitJob("sms", "QUEUED", 1);
    clock.advance(Duration.ofSeconds(15)); // the first retry's backoff
    awaitJob("sms", "QUEUED", 2);
    clock.advance(Duration.ofSeconds(45)); // the second's
    job = awaitJob("sms", "SUCCEEDED", 3);

    List<Call> sms = calls.stream().filter(c -> c.path().equals("/sms")).toList();
    assertThat(sms).hasSize(3);
    assertThat(sms.stream().map(Call::key).distinct().toList()).as("one idempotency key, the job's").containsExactly(job.get("id").asText());
    assertThat(sms.get(2).body()).isEqualTo("{\"to\":\"c-1\",\"text\":\"王, welcome\"}");
    JsonNode executions = controller.get("/jobs/" + java.net.URLEncoder.encode(job.get("id").asText(), StandardCharsets.UTF_8) + "/executions").body();
    assertThat(executions).as("each call recorded like a send").hasSize(3);

    Call event = awaitCall("/events");
    long now = System.currentTimeMillis() / 1000;
    assertThat(event.body()).contains("job.succeeded").contains(job.get("id").asText());
    assertThat(Signatures.verify(secret, event.signature(), event.body(), now, 300)).as("signed with the subscription's secret").isTrue();
    assertThat(Signatures.verify(secret, event.signature(), event.body().replace("SUCCEEDED", "FAILED"), now, 300)).as("a tampered body fails").isFalse();
    assertThat(Signatures.verify("whsec_other", event.signature(), event.body(), now, 300)).isFalse();
  }

  /**
   * The clinic's funnel: a trial bought online, an SMS at one minute and a call at five, each only
   * while the buyer has not yet been added as a contact. One buyer is added before the SMS, one
   * between the SMS and the call, one never.
   */
  @Test
  void aTrialBuyerIsTextedAtOneMinuteAndCalledAtFiveOnlyWhileNotYetAdded() {
    String step = "{\"offset\":\"%s\",\"unless\":[\"added\"],\"content\":{\"kind\":\"webhook\",\"method\":\"POST\",\"url\":\"%s\","
        + "\"body\":{\"to\":\"{customer_id}\",\"order\":\"{order_id}\"}}}";
    RunningController.Reply plan = controller.post("/plans", "{\"id\":\"trial\",\"name\":\"Trial funnel\",\"kind\":\"customer\",\"trigger\":{\"event\":\"order_placed\"},"
        + "\"steps\":[" + step.formatted("+1m", hook("/sms")) + "," + step.formatted("+5m", hook("/call")) + "]}");
    assertThat(plan.status()).as(plan.body().toString()).isEqualTo(201);
    assertThat(controller.post("/orders", "{\"orders\":["
        + "{\"id\":\"t-1\",\"customerId\":\"l-1\",\"accountId\":\"acc-1\",\"amount\":9.9,\"products\":[\"trial\"]},"
        + "{\"id\":\"t-2\",\"customerId\":\"l-2\",\"accountId\":\"acc-1\",\"amount\":9.9,\"products\":[\"trial\"]},"
        + "{\"id\":\"t-3\",\"customerId\":\"l-3\",\"accountId\":\"acc-1\",\"amount\":9.9,\"products\":[\"trial\"]}]}").status()).isEqualTo(200);
    controller.awaitExpansions(2);

    clock.advance(Duration.ofSeconds(30));
    added("l-1");
    clock.advance(Duration.ofSeconds(90)); // +2m: the SMS is due
    awaitStep(0, Map.of("l-1", "SKIPPED", "l-2", "SUCCEEDED", "l-3", "SUCCEEDED"));
    clock.advance(Duration.ofMinutes(1));
    added("l-2");
    clock.advance(Duration.ofMinutes(3)); // +6m: the call is due
    awaitStep(1, Map.of("l-1", "SKIPPED", "l-2", "SKIPPED", "l-3", "SUCCEEDED"));

    assertThat(calls.stream().filter(c -> c.path().equals("/sms")).map(c -> c.body()).toList())
        .containsExactlyInAnyOrder("{\"to\":\"l-2\",\"order\":\"t-2\"}", "{\"to\":\"l-3\",\"order\":\"t-3\"}");
    assertThat(calls.stream().filter(c -> c.path().equals("/call")).map(c -> c.body()).toList()).containsExactly("{\"to\":\"l-3\",\"order\":\"t-3\"}");
    for (JsonNode j : controller.get("/jobs?planId=trial&state=SKIPPED").body()) {
      assertThat(j.get("decidedBy").asText()).isEqualTo("step-conditions");
      assertThat(j.get("reason").asText()).startsWith("unless added: customer " + j.get("customerId").asText() + " was added at");
    }
  }

  private void added(String customer) {
    assertThat(controller.post("/events", "{\"events\":[{\"id\":\"add-" + customer + "\",\"type\":\"friend_added\",\"accountId\":\"acc-1\",\"customerId\":\""
        + customer + "\",\"nickname\":\"" + customer + "\"}]}").status()).isEqualTo(200);
  }

  /** Waits until the plan's step {@code index} ended for each customer as given. */
  private void awaitStep(int index, Map<String, String> states) {
    java.util.function.Function<JsonNode, Map<String, String>> step = b -> {
      Map<String, String> seen = new java.util.HashMap<>();
      b.forEach(j -> {
        if (j.get("id").asText().contains(":s" + index + ":")) {
          seen.put(j.get("customerId").asText(), j.get("state").asText());
        }
      });
      return seen;
    };
    assertThat(step.apply(controller.await("/jobs?planId=trial", b -> step.apply(b).equals(states), Duration.ofSeconds(20)).body())).isEqualTo(states);
  }

  private JsonNode awaitJob(String plan, String state, int attempts) {
    RunningController.Reply r = controller.await("/jobs?planId=" + plan,
        b -> b.size() == 1 && b.get(0).get("state").asText().equals(state) && b.get(0).get("attempts").asInt() == attempts, Duration.ofSeconds(20));
    assertThat(r.body().get(0).get("state").asText()).as(r.body().toString()).isEqualTo(state);
    assertThat(r.body().get(0).get("attempts").asInt()).isEqualTo(attempts);
    return r.body().get(0);
  }

  private Call awaitCall(String path) {
    return Eventually.until("a call to " + path + " (calls so far: " + calls + ")", Duration.ofSeconds(20),
        () -> calls.stream().filter(c -> c.path().equals(path)).findFirst().orElse(null), java.util.Objects::nonNull);
  }
}
