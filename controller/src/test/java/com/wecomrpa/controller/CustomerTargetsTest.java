package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Customers as targets through the API, on a real controller and store with a protocol-level
 * agent: a segment's preview is what sending then creates; a customer's cadence skips a second
 * marketing message and names the job that used the slot; the orders intake raises order_placed
 * with the order as variables; a yearly date plan starts on the day; bad input and a handover past
 * the receiving account's cap are refused naming the field, with nothing stored.
 */
class CustomerTargetsTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final java.time.Instant NOON = ZonedDateTime.of(LocalDate.of(2026, 12, 1), LocalTime.NOON, SHANGHAI).toInstant();

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(NOON);
  RunningController controller;

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, clock, o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/accounts", Fixtures.anAccount("acc-2"));
    assertThat(controller.put("/channel-codes/launch", "{\"accountId\":\"acc-1\",\"source\":\"expo\",\"tags\":[\"新品意向\"]}").status()).isEqualTo(200);
    // c-1 and c-2 came through the launch code (tagged); c-3 did not; c-4 is acc-2's, tagged.
    controller.post("/events", "{\"events\":["
        + event("e-1", "acc-1", "c-1", "\"channelCode\":\"launch\"") + ","
        + event("e-2", "acc-1", "c-2", "\"channelCode\":\"launch\"") + ","
        + event("e-3", "acc-1", "c-3", "\"fields\":{\"birthday\":\"12-01\"}") + ","
        + event("e-4", "acc-2", "c-4", null) + "]}");
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  static String event(String id, String account, String customer, String extra) {
    return "{\"id\":\"" + id + "\",\"type\":\"friend_added\",\"accountId\":\"" + account + "\",\"customerId\":\"" + customer + "\",\"nickname\":\"客户" + customer + "\""
        + (extra == null ? "" : "," + extra) + "}";
  }

  static String launch(String id) {
    return "{\"id\":\"" + id + "\",\"content\":{\"kind\":\"link\",\"url\":\"https://shop.example/new\",\"title\":\"冬季新品\"},"
        + "\"target\":{\"customers\":{\"tagsAll\":[\"新品意向\"],\"accountIds\":[\"acc-1\"]}}}";
  }

  @Test
  void aSegmentsPreviewIsWhatSendingCreatesAndTheCadenceSkipsASecondLaunchNamingTheFirst() {
    assertThat(controller.put("/limits/global", "{\"values\":{\"customerCadence\":\"1/7d\"},\"reason\":\"once a week\"}").status()).isEqualTo(200);
    JsonNode preview = controller.post("/broadcasts?preview=true", launch("b-1")).body();
    assertThat(preview.get("count").asInt()).isEqualTo(2);
    List<String> examples = new ArrayList<>();
    preview.get("examples").forEach(e -> examples.add(e.get("id").asText()));
    assertThat(examples).containsExactlyInAnyOrder("c-1", "c-2");
    assertThat(controller.get("/broadcasts").body()).as("a preview stores nothing").isEmpty();

    RunningController.Reply created = controller.post("/broadcasts", launch("b-1"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().get("jobs").asInt()).isEqualTo(preview.get("count").asInt());
    List<String> customers = new ArrayList<>();
    controller.get("/jobs?broadcastId=b-1").body().forEach(j -> customers.add(j.get("customerId").asText()));
    assertThat(customers).containsExactlyInAnyOrder(examples.toArray(String[]::new));

    ProtocolAgent agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    try {
      agent.next(ControllerWelcome.class, 30_000);
      for (int i = 0; i < 2; i++) {
        ControllerJobOffer o = agent.next(ControllerJobOffer.class, 30_000);
        assertThat(o.action()).isEqualTo("send_private_link");
        agent.send(Fixtures.aReport(o, Outcome.SUCCEEDED));
        assertThat(agent.next(ControllerReportAck.class, 30_000).accepted()).isTrue();
      }
      clock.advance(Duration.ofHours(1));
      assertThat(controller.post("/broadcasts?preview=true", launch("b-2")).body().get("overCadenceNow").asInt()).isEqualTo(2);
      controller.post("/broadcasts", launch("b-2"));
      JsonNode skipped = controller.await("/jobs/broadcast:b-2:cust:c-1", j -> j.get("state").asText().equals("SKIPPED"), Duration.ofSeconds(30)).body();
      assertThat(skipped.get("decidedBy").asText()).isEqualTo("customer-cadence");
      assertThat(skipped.get("reason").asText()).contains("c-1").contains("1 per 7 days").contains("broadcast:b-1:cust:c-1");
      controller.await("/jobs/broadcast:b-2:cust:c-2", j -> j.get("state").asText().equals("SKIPPED"), Duration.ofSeconds(30));
    } finally {
      agent.close();
    }
  }

  @Test
  void theOrdersIntakeRaisesOrderPlacedWithTheOrderAndAYearlyPlanStartsOnTheDay() {
    assertThat(controller.post("/plans", "{\"id\":\"thanks\",\"name\":\"Thanks\",\"kind\":\"customer\",\"trigger\":{\"event\":\"order_placed\"},"
        + "\"steps\":[{\"offset\":\"+1m\",\"transactional\":true,\"content\":{\"kind\":\"text\",\"text\":\"感谢下单 {order_id}，共 {order_amount} 元\"}}]}").status()).isEqualTo(201);
    assertThat(controller.post("/plans", "{\"id\":\"birthday\",\"name\":\"Birthday\",\"kind\":\"customer\",\"trigger\":{\"event\":\"date\",\"field\":\"birthday\"},"
        + "\"steps\":[{\"offset\":\"+10h\",\"content\":{\"kind\":\"text\",\"text\":\"{nickname} 生日快乐\"}}]}").status()).isEqualTo(201);
    assertThat(controller.post("/orders", "{\"orders\":[{\"id\":\"o-9\",\"customerId\":\"c-2\",\"accountId\":\"acc-1\",\"amount\":128.5,\"products\":[\"coffee\"]}]}").status())
        .isEqualTo(200);
    controller.awaitExpansions(2);

    JsonNode thanks = controller.get("/jobs?planId=thanks").body();
    assertThat(thanks).hasSize(1);
    assertThat(thanks.get(0).get("customerId").asText()).isEqualTo("c-2");
    assertThat(thanks.get(0).get("params").toString()).contains("o-9").contains("128.5");
    JsonNode birthday = controller.get("/jobs?planId=birthday").body();
    assertThat(birthday).hasSize(1);
    assertThat(birthday.get(0).get("customerId").asText()).isEqualTo("c-3");
    assertThat(birthday.get(0).get("id").asText()).endsWith(":y2026");
  }

  @Test
  void badInputAndAHandoverPastTheCapAreRefusedNamingTheFieldWithNothingStored() {
    RunningController.Reply r = controller.post("/broadcasts", "{\"id\":\"b-x\",\"content\":{\"text\":\"hi\"},\"target\":{\"customers\":{}}}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().get("field").asText()).startsWith("target.customers");
    r = controller.post("/broadcasts", "{\"id\":\"b-x\",\"content\":{\"text\":\"hi\"},\"target\":{\"customers\":{\"silentDays\":0}}}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body().get("field").asText()).isEqualTo("target.customers.silentDays");
    assertThat(controller.get("/broadcasts").body()).isEmpty();
    assertThat(controller.put("/limits/accounts/acc-1", "{\"values\":{\"customerCadence\":\"1/7d\"},\"reason\":\"x\"}").body().get("field").asText())
        .isEqualTo("values.customerCadence");

    for (int i = 1; i <= 3; i++) {
      controller.post("/groups", Fixtures.aGroup("g-" + i, i == 3 ? "acc-2" : "acc-1", "store"));
    }
    controller.put("/limits/accounts/acc-2", "{\"values\":{\"maxGroups\":\"2\"},\"reason\":\"a young account\"}");
    r = controller.post("/accounts/acc-1/handover", "{\"to\":\"acc-2\",\"groups\":\"all\",\"customers\":\"all\",\"reason\":\"acc-1 restricted\"}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body().get("field").asText()).isEqualTo("groups");
    assertThat(r.body().get("error").asText()).contains("acc-2").contains("room for 1");
    r = controller.post("/accounts/acc-1/handover", "{\"to\":\"acc-2\",\"customers\":[\"c-1\",\"c-4\"],\"reason\":\"acc-1 restricted\"}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().get("field").asText()).isEqualTo("customers[1]");
    assertThat(controller.get("/handovers").body()).isEmpty();
    assertThat(controller.get("/groups/g-1").body().get("accountId").asText()).isEqualTo("acc-1");
    assertThat(controller.get("/customers/c-1").body().toString()).contains("acc-1");
    JsonNode targets = controller.get("/accounts/acc-1/handover-targets").body();
    assertThat(targets.get(0).get("accountId").asText()).isEqualTo("acc-2");
    assertThat(targets.get(0).get("room").asInt()).isEqualTo(1);
  }

  @Test
  void anErasedCustomerLeavesNoPersonalTraceRefusedWhileADeviceSendsToThem() {
    controller.post("/orders", "{\"orders\":[{\"id\":\"o-1\",\"customerId\":\"c-1\",\"accountId\":\"acc-1\",\"amount\":30,\"products\":[\"coffee\"]}]}");
    assertThat(controller.post("/broadcasts", launch("b-1")).status()).isEqualTo(201);
    ProtocolAgent agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    try {
      agent.next(ControllerWelcome.class, 30_000);
      ControllerJobOffer held = agent.next(ControllerJobOffer.class, 30_000);
      String busy = held.jobId().endsWith(":c-1") ? "c-1" : "c-2";
      String other = busy.equals("c-1") ? "c-2" : "c-1";
      RunningController.Reply refused = controller.delete("/customers/" + busy, RunningController.ADMIN_TOKEN);
      assertThat(refused.status()).as("a device holds a job to " + busy).isEqualTo(409);
      assertThat(refused.body().get("field").asText()).isEqualTo("id");
      assertThat(controller.get("/customers/" + busy).status()).as("nothing changed").isEqualTo(200);

      // The other customer's job still waits: it ends CANCELLED with the erasure.
      RunningController.Reply erased = controller.delete("/customers/" + other, RunningController.ADMIN_TOKEN);
      assertThat(erased.status()).as(String.valueOf(erased.body())).isEqualTo(200);
      assertThat(controller.get("/customers/" + other).status()).isEqualTo(404);
      assertThat(controller.get("/customers/" + other + "/tags").body().toString()).doesNotContain("新品意向");
      assertThat(controller.get("/customers/" + other + "/messages").body().toString()).doesNotContain("客户" + other);
      assertThat(controller.get("/customers?q=" + other).body().get("total").asInt()).isZero();
      JsonNode job = null;
      for (JsonNode j : controller.get("/jobs?broadcastId=b-1").body()) {
        job = j.get("id").asText().equals(held.jobId()) ? job : j;
      }
      assertThat(job.get("state").asText()).isEqualTo("CANCELLED");
      assertThat(job.toString()).as("the job keeps no content and no id of the person").doesNotContain("冬季新品").doesNotContain("\"" + other + "\"");
      JsonNode audit = controller.get("/audit").body();
      assertThat(audit.toString()).contains("customer.erase").doesNotContain("客户" + other);
      if (other.equals("c-1")) {
        assertThat(controller.get("/customers/c-1/orders").body()).as("the order no longer names the person").isEmpty();
      }
      assertThat(controller.delete("/customers/" + other, RunningController.ADMIN_TOKEN).status()).as("erased once").isEqualTo(404);
    } finally {
      agent.close();
    }
  }
}
