package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.AgentHeard;
import com.wecomrpa.protocol.ControllerListen;
import com.wecomrpa.protocol.ControllerWelcome;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hearing customers through the API, on the engine under test: bad rules refused naming the field
 * with nothing stored; what a device hears stored once however often it is read or re-sent; a
 * keyword tags the customer with the message that did it and queues one auto-reply.
 */
class ConversationApiTest {
  @TempDir Path dir;
  RunningController controller;
  ProtocolAgent agent;

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, Fixtures.middayInShanghai(), o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store"));
    controller.post("/events", "{\"events\":[{\"id\":\"ev-1\",\"type\":\"friend_added\",\"accountId\":\"acc-1\",\"customerId\":\"c-1\",\"nickname\":\"王女士\"}]}");
    assertThat(controller.put("/tags/" + enc("询价"), "{\"description\":\"asked about prices\"}").status()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    controller.close();
  }

  @Test
  void badRulesAreRefusedNamingTheFieldAndNothingIsStored() {
    refused("/keyword-rules/r1", "{\"match\":\"keyword\",\"pattern\":\"  \",\"addTags\":[\"询价\"]}", "pattern", "non-empty");
    refused("/keyword-rules/r1", "{\"match\":\"regex\",\"pattern\":\"(价格\",\"addTags\":[\"询价\"]}", "pattern", "not a valid regular expression");
    refused("/keyword-rules/r1", "{\"match\":\"any\",\"words\":[\"价格\",\"\"],\"addTags\":[\"询价\"]}", "words[1]", "empty");
    refused("/keyword-rules/r1", "{\"match\":\"keyword\",\"pattern\":\"价格\",\"addTags\":[\"询价\",\"没有这个\"]}", "addTags[1]", "unknown tag 没有这个");
    refused("/keyword-rules/r1", "{\"match\":\"keyword\",\"pattern\":\"价格\",\"reply\":{\"replyId\":\"nope\"}}", "reply.replyId", "no reply nope");
    refused("/keyword-rules/r1", "{\"match\":\"keyword\",\"pattern\":\"价格\"}", "addTags", "add or remove a tag, or reply");
    refused("/keyword-rules/r1", "{\"match\":\"fuzzy\",\"pattern\":\"价格\",\"addTags\":[\"询价\"]}", "match", "one of");
    refused("/replies/p1", "{\"text\":\"{nickname}，{coupon} 给您\"}", "text", "{coupon}");
    refused("/reply-time-rules/t1", "{\"tag\":\"没有这个\",\"minutes\":10}", "tag", "unknown tag");
    refused("/reply-time-rules/t1", "{\"tag\":\"询价\",\"minutes\":0}", "minutes", "1 to 10080");
    refused("/accounts/acc-1/listening", "{\"intervalSeconds\":0}", "intervalSeconds", "whole number");
    refused("/accounts/acc-1/listening", "{\"unread\":false}", "chats", "chats to read");
    assertThat(controller.put("/replies/p1", "{\"text\":\"{nickname}您好\"}").status()).isEqualTo(200);
    refused("/keyword-rules/r1", "{\"match\":\"keyword\",\"pattern\":\"价格\",\"addTags\":[\"询价\"],\"reply\":{\"replyId\":\"p1\",\"hours\":\"9-21\"}}",
        "reply.hours", "09:00-21:00");

    assertThat(controller.get("/keyword-rules").body()).isEmpty();
    assertThat(controller.get("/reply-time-rules").body()).isEmpty();
    assertThat(controller.get("/accounts/acc-1/listening").body().get("intervalSeconds").asInt()).isEqualTo(30);

    assertThat(controller.put("/keyword-rules/r1", "{\"match\":\"keyword\",\"pattern\":\"价格\",\"addTags\":[\"询价\"],\"reply\":{\"replyId\":\"p1\"}}").status())
        .isEqualTo(200);
    RunningController.Reply inUse = controller.delete("/replies/p1", RunningController.ADMIN_TOKEN);
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.body().get("error").asText()).contains("keyword rule r1");
    JsonNode audit = controller.get("/audit").body();
    assertThat(audit.findValuesAsText("action")).contains("keyword-rule.put", "reply.put", "tag.put");
  }

  @Test
  void whatADeviceHearsIsStoredOnceTagsTheCustomerAndQueuesOneReply() {
    controller.put("/replies/p1", "{\"text\":\"{nickname}您好，价格见公告\"}");
    controller.put("/keyword-rules/r1", "{\"match\":\"any\",\"words\":[\"价格\",\"多少钱\"],\"addTags\":[\"询价\"],\"reply\":{\"replyId\":\"p1\"}}");
    agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    agent.answersListens = false;
    agent.next(ControllerWelcome.class, 30_000);
    ControllerListen ask = agent.next(ControllerListen.class, 30_000);
    assertThat(ask.unread()).isTrue();

    Instant t = Instant.parse("2026-11-23T04:00:00Z");
    AgentHeard.Chat chat = new AgentHeard.Chat("王女士", "private", 3, List.of(
        new AgentHeard.Line("m-1", "王女士", false, "text", "12:00", t.toEpochMilli(), "请问多少钱？"),
        new AgentHeard.Line("m-2", "王女士", false, "text", "12:00", t.toEpochMilli() + 1000, "价格能便宜点吗"),
        new AgentHeard.Line("m-3", "王女士", false, "image", "12:01", t.toEpochMilli() + 2000, "https://img.example.com/a.jpg")), null);
    // A chat whose client shows no message ids: two equal lines are two messages.
    AgentHeard.Chat group = new AgentHeard.Chat("store", "group", 2, List.of(
        new AgentHeard.Line(null, "张三", false, "text", "12:02", null, "好的"),
        new AgentHeard.Line(null, "张三", false, "text", "12:02", null, "好的")), null);
    AgentHeard heard = new AgentHeard(ask.listenId(), "dev-1", "acc-1", t, t.plusSeconds(2), List.of(chat, group), null);
    agent.send(heard);
    agent.send(heard); // sent again (no acknowledgement seen): stored once
    // A later listen reads the same chats again, with one new line in each.
    AgentHeard again = new AgentHeard("again-1", "dev-1", "acc-1", t.plusSeconds(30), t.plusSeconds(31), List.of(
        new AgentHeard.Chat("王女士", "private", 1, List.of(chat.messages().get(2),
            new AgentHeard.Line("m-4", "王女士", false, "text", "12:03", t.toEpochMilli() + 3000, "在吗")), null),
        new AgentHeard.Chat("store", "group", 1, List.of(group.messages().get(0), group.messages().get(1),
            new AgentHeard.Line(null, "张三", false, "text", "12:04", null, "好的")), null)), null);
    agent.send(again);

    JsonNode page = controller.await("/messages?accountId=acc-1", b -> b.get("messages").size() == 7, Duration.ofSeconds(10)).body();
    assertThat(page.get("messages").size()).isEqualTo(7);
    JsonNode mine = controller.get("/customers/c-1/messages").body().get("messages");
    assertThat(mine.findValuesAsText("text")).containsExactly("在吗", "https://img.example.com/a.jpg", "价格能便宜点吗", "请问多少钱？");
    JsonNode tags = controller.get("/customers/c-1/tags").body();
    assertThat(tags.get("tags").get(0).asText()).isEqualTo("询价");
    assertThat(tags.get("changes")).hasSize(1);
    assertThat(tags.get("changes").get(0).get("ruleId").asText()).isEqualTo("r1");

    // Two matching messages, one reply: once per customer, rule and day.
    JsonNode jobs = controller.get("/jobs?limit=100").body();
    assertThat(jobs.findValuesAsText("id").stream().filter(id -> id.startsWith("reply:r1:c-1:"))).hasSize(1);
    assertThat(controller.get("/overview").body().get("conversations").get("messagesFromCustomers").asLong()).isEqualTo(7);
  }

  @Test
  void noListenWhileAQueuedJobsWindowWouldCloseWithinTheListensBudget() {
    controller.put("/accounts/acc-1/listening", "{\"budgetSeconds\":300}");
    String plan = "{\"name\":\"lunch\",\"kind\":\"group\",\"window\":\"%s\",\"target\":{\"groupIds\":[\"g-1\"]},"
        + "\"steps\":[{\"at\":\"12:01\",\"content\":{\"kind\":\"text\",\"text\":\"午间特惠\"}}]}";
    // Due at 12:01, closing at 12:04: a listen of up to five minutes now could hold it past its window.
    assertThat(controller.post("/plans", String.format(plan, "3m").replace("{\"name\"", "{\"id\":\"lunch\",\"name\"")).status()).isEqualTo(201);
    controller.awaitExpansions(1);
    agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    agent.next(ControllerWelcome.class, 30_000);
    controller.awaitDispatchPasses();
    agent.expectNothing(ControllerListen.class, 1500);

    // The window widened to half an hour: the same idle device listens at once.
    assertThat(controller.put("/plans/lunch", String.format(plan, "30m")).status()).isEqualTo(200);
    controller.awaitExpansions(1);
    assertThat(agent.next(ControllerListen.class, 30_000).deviceId()).isEqualTo("dev-1");
  }

  @Test
  void theCustomersListFindsByNameAndTagPagesWithATotalAndRefusesAnUnknownStatus() {
    controller.post("/events", "{\"events\":[{\"id\":\"ev-2\",\"type\":\"friend_added\",\"accountId\":\"acc-1\",\"customerId\":\"c-2\",\"nickname\":\"李先生\"},"
        + "{\"id\":\"ev-3\",\"type\":\"friend_added\",\"accountId\":\"acc-1\",\"customerId\":\"c-3\",\"nickname\":\"王先生\"}]}");
    var all = controller.get("/customers?limit=2").body();
    assertThat(all.get("total").asInt()).isEqualTo(3);
    assertThat(all.get("items")).hasSize(2);
    assertThat(controller.get("/customers?limit=2&offset=2").body().get("items")).hasSize(1);
    var wang = controller.get("/customers?q=" + enc("王")).body();
    assertThat(wang.get("total").asInt()).isEqualTo(2);
    assertThat(wang.get("items").findValuesAsText("nickname")).containsExactlyInAnyOrder("王女士", "王先生");
    assertThat(controller.get("/customers?tag=" + enc("询价")).body().get("total").asInt()).as("nobody tagged yet").isZero();
    RunningController.Reply bad = controller.get("/customers?status=gone");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("field").asText()).isEqualTo("status");
  }

  @Test
  void anOperatorTagsByHandWhichStartsTheTagsPlanEndsTheRunAndEveryStepIsAudited() {
    assertThat(controller.post("/plans", "{\"id\":\"price-follow\",\"name\":\"询价跟进\",\"kind\":\"customer\",\"trigger\":{\"event\":\"tag_added\",\"tag\":\"询价\"},"
        + "\"steps\":[{\"offset\":\"+1d\",\"content\":{\"kind\":\"text\",\"text\":\"{nickname} 您好\"}},{\"offset\":\"+3d\",\"content\":{\"kind\":\"text\",\"text\":\"还在考虑吗\"}}]}")
        .status()).isEqualTo(201);

    assertThat(controller.put("/customers/c-1/tags/" + enc("询价"), "{\"reason\":\"asked at the counter\"}").body().get("added").asBoolean()).isTrue();
    assertThat(controller.put("/customers/c-1/tags/" + enc("询价"), "{}").body().get("added").asBoolean()).as("once").isFalse();
    RunningController.Reply unknown = controller.put("/customers/c-1/tags/nope", "{}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.body().get("field").asText()).isEqualTo("tag");

    // The tag started the plan; its first step is queued once the expander has run (the second,
    // three days out, is beyond the horizon and is made later).
    var runs = controller.await("/customers/c-1/plans", b -> b.size() == 1 && b.get(0).get("queued").asInt() == 1, java.time.Duration.ofSeconds(20)).body();
    assertThat(runs.get(0).get("queued").asInt()).isEqualTo(1);
    assertThat(runs.get(0).get("status").asText()).isEqualTo("active");
    assertThat(runs.get(0).get("planId").asText()).isEqualTo("price-follow");
    assertThat(controller.get("/customers/c-1/tags").body().get("changes").get(0).get("ruleId").asText()).isEqualTo("hand:first admin");

    // Started twice by hand: refused, naming the plan.
    RunningController.Reply twice = controller.post("/customers/c-1/plans", "{\"planId\":\"price-follow\"}");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.body().get("field").asText()).isEqualTo("planId");

    var ended = controller.post("/customers/c-1/plans/price-follow/end", "{\"reason\":\"bought in the shop\"}").body();
    assertThat(ended.get("status").asText()).isEqualTo("exited");
    assertThat(controller.get("/jobs?customerId=c-1&state=CANCELLED").body()).hasSize(1);
    assertThat(controller.get("/jobs?customerId=c-1&state=QUEUED").body()).isEmpty();
    assertThat(controller.get("/customers/c-1/plans").body().get(0).get("exitReason").asText()).contains("bought in the shop");

    assertThat(controller.delete("/customers/c-1/tags/" + enc("询价"), RunningController.ADMIN_TOKEN).body().get("removed").asBoolean()).isTrue();
    var actions = controller.get("/audit").body().findValuesAsText("action");
    assertThat(actions).contains("customer.tag", "customer.plan-end", "customer.untag");
  }

  private void refused(String path, String body, String field, String says) {
    RunningController.Reply r = controller.put(path, body);
    assertThat(r.status()).as(path + " " + body).isEqualTo(400);
    assertThat(r.body().get("field").asText()).as(body).isEqualTo(field);
    assertThat(r.body().get("error").asText()).as(body).contains(says);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
