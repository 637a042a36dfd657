package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.protocol.AgentHeard;
import com.wecomrpa.protocol.ControllerListen;
import com.wecomrpa.protocol.ControllerWelcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heard, not told: the lines a client writes itself (a join, a leave, a friend added) and the
 * friend requests it lists become the controller's own events and jobs, each once however often
 * a listen is read or re-sent, with nobody calling /events.
 */
class MembershipTest {
  static final Instant T = Instant.parse("2026-11-23T04:00:00Z");

  @TempDir Path dir;
  RunningController controller;
  ProtocolAgent agent;

  @BeforeEach
  void start() {
    controller = RunningController.start(dir, Fixtures.middayInShanghai(), o -> o);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/groups", "{\"id\":\"g-1\",\"name\":\"门店群 0001\",\"accountId\":\"acc-1\",\"tags\":[\"store\"]}");
    controller.post("/plans", "{\"id\":\"new-friend\",\"name\":\"new friend\",\"kind\":\"customer\",\"trigger\":{\"event\":\"friend_added\"},"
        + "\"steps\":[{\"offset\":\"+1m\",\"content\":{\"kind\":\"text\",\"text\":\"欢迎 {nickname}\"}}]}");
    controller.post("/plans", "{\"id\":\"joined\",\"name\":\"joined a group\",\"kind\":\"customer\",\"trigger\":{\"event\":\"joined_group\"},"
        + "\"steps\":[{\"offset\":\"+1m\",\"content\":{\"kind\":\"text\",\"text\":\"进群有礼 {nickname}\"}}]}");
    assertThat(controller.put("/channel-codes/store-12", "{\"accountId\":\"acc-1\",\"source\":\"store-12\",\"tags\":[\"门店12\"]}").status()).isEqualTo(200);
    agent = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1");
    agent.answersListens = false;
    agent.next(ControllerWelcome.class, 30_000);
  }

  @AfterEach
  void stop() {
    agent.close();
    controller.close();
  }

  @Test
  void joinsLeavesAndFriendsAddedAreRecordedOnceAndStartTheirPlansOnce() {
    ControllerListen ask = agent.next(ControllerListen.class, 30_000);
    List<AgentHeard.Request> requests = List.of(new AgentHeard.Request("李女士", "我是来领券的", "store-12"), new AgentHeard.Request("张先生", "", null));
    AgentHeard first = new AgentHeard(ask.listenId(), "dev-1", "acc-1", T, T.plusSeconds(1), List.of(), null, requests);
    agent.send(first);
    agent.send(first);
    AgentHeard again = new AgentHeard("again-1", "dev-1", "acc-1", T.plusSeconds(30), T.plusSeconds(31), List.of(), null, requests);
    agent.send(again);

    JsonNode seen = controller.await("/accounts/acc-1/friend-requests", b -> b.size() == 2, Duration.ofSeconds(10)).body();
    assertThat(seen.findValuesAsText("state")).containsOnly("pending");
    assertThat(seen.findValuesAsText("attempts")).containsOnly("1");
    assertThat(acceptJobs()).as("one accept job per request however often it is heard").hasSize(2);

    // The client says 李女士 was added, and the group shows a join, a customer's words and a leave;
    // the same lines read by two listens.
    AgentHeard.Chat friend = new AgentHeard.Chat("李女士", "private", 1, List.of(
        new AgentHeard.Line("9", "李女士", false, "system", "12:01", T.plusSeconds(60).toEpochMilli(), "你已添加了李女士，现在可以开始聊天了。")), null);
    AgentHeard.Chat group = new AgentHeard.Chat("门店群 0001", "group", 3, List.of(
        new AgentHeard.Line("10", "王小二", false, "system", "12:02", T.plusSeconds(120).toEpochMilli(), "王小二 通过扫描群二维码加入群聊"),
        new AgentHeard.Line("11", "王小二", false, "text", "12:02", T.plusSeconds(121).toEpochMilli(), "大家好"),
        new AgentHeard.Line("12", "赵六", false, "system", "12:03", T.plusSeconds(180).toEpochMilli(), "赵六 退出了群聊")), null);
    for (String id : List.of("lines-1", "lines-2")) {
      agent.send(new AgentHeard(id, "dev-1", "acc-1", T.plusSeconds(200), T.plusSeconds(201), List.of(friend, group), null, List.of()));
    }

    JsonNode members = controller.await("/groups/g-1/members", b -> b.get("members").size() == 2, Duration.ofSeconds(10)).body();
    assertThat(members.get("in").asInt()).isEqualTo(1);
    assertThat(members.get("members").findValuesAsText("name")).containsExactlyInAnyOrder("王小二", "赵六");
    JsonNode li = controller.await("/accounts/acc-1/friend-requests", b -> b.findValuesAsText("state").contains("added"), Duration.ofSeconds(10)).body();
    String liId = null;
    for (JsonNode r : li) {
      if (r.get("name").asText().equals("李女士")) {
        assertThat(r.get("state").asText()).isEqualTo("added");
        liId = r.get("customerId").asText();
      }
    }
    assertThat(controller.get("/customers/" + liId).body().get("nickname").asText()).isEqualTo("李女士");
    assertThat(controller.get("/customers/" + liId + "/tags").body().toString()).as("the channel code she came through credits her").contains("门店12");
    controller.awaitExpansions(2);
    assertThat(controller.get("/jobs?planId=new-friend").body()).as("the friend_added plan, once").hasSize(1);
    assertThat(controller.get("/jobs?planId=joined").body()).as("the joined_group plan, once").hasSize(1);
    JsonNode page = controller.get("/messages?accountId=acc-1").body().get("messages");
    assertThat(page.findValuesAsText("text")).as("the lines are kept once each").hasSize(4);
    assertThat(controller.get("/overview").body().get("conversations").get("messagesFromCustomers").asLong())
        .as("only 大家好 is a customer's message").isEqualTo(1);
    JsonNode day = controller.get("/groups/g-1/stats?from=2026-11-23&to=2026-11-23").body().get("days").get(0);
    assertThat(day.get("joins").asInt()).isEqualTo(1);
    assertThat(day.get("leaves").asInt()).isEqualTo(1);
    assertThat(day.get("customerMessages").asInt()).isEqualTo(1);
    assertThat(controller.get("/group-stats?accountId=acc-1&from=2026-11-23&to=2026-11-23").body().get("joins").asInt()).isEqualTo(1);
    assertThat(controller.get("/groups/g-1/stats?from=2026-11-24&to=2026-11-23").body().get("field").asText()).isEqualTo("from");
  }

  @Test
  void joinsCloseTogetherGetOneWelcomeNamingThemAndBadRulesAreRefusedNamingTheField() {
    refused("/welcome-rules/w1", "{\"content\":{\"kind\":\"text\",\"text\":\"欢迎\"}}", "groupTag");
    refused("/welcome-rules/w1", "{\"groupId\":\"g-9\",\"content\":{\"kind\":\"text\",\"text\":\"欢迎\"}}", "groupId");
    refused("/welcome-rules/w1", "{\"groupTag\":\"store\",\"content\":{\"kind\":\"text\",\"text\":\"欢迎 {coupon}\"}}", "content.text");
    refused("/welcome-rules/w1", "{\"groupTag\":\"store\",\"batchSeconds\":0,\"content\":{\"kind\":\"text\",\"text\":\"欢迎\"}}", "batchSeconds");
    refused("/welcome-rules/w1", "{\"groupTag\":\"store\",\"outsideHours\":\"later\",\"content\":{\"kind\":\"text\",\"text\":\"欢迎\"}}", "outsideHours");
    assertThat(controller.get("/welcome-rules").body()).as("nothing stored").isEmpty();
    assertThat(controller.put("/welcome-rules/w1", "{\"groupTag\":\"store\",\"batchSeconds\":1,\"minGapMinutes\":0,"
        + "\"content\":{\"kind\":\"text\",\"text\":\"欢迎 {nickname} 加入{group_name}\"}}").status()).isEqualTo(200);

    ControllerListen ask = agent.next(ControllerListen.class, 30_000);
    agent.send(new AgentHeard(ask.listenId(), "dev-1", "acc-1", T, T.plusSeconds(1), List.of(new AgentHeard.Chat("门店群 0001", "group", 2, List.of(
        new AgentHeard.Line("20", "甲", false, "system", "12:00", T.toEpochMilli(), "甲 通过扫描群二维码加入群聊"),
        new AgentHeard.Line("21", "乙", false, "system", "12:00", T.toEpochMilli() + 500, "乙 接受你的邀请加入了群聊")), null)), null, List.of()));
    JsonNode first = controller.await("/groups/g-1/welcomes", b -> b.size() == 1 && b.get(0).get("state").asText().equals("queued"), Duration.ofSeconds(20)).body();
    assertThat(first.get(0).get("names").toString()).isEqualTo("[\"甲\",\"乙\"]");
    JsonNode job = controller.get("/jobs/" + first.get(0).get("jobId").asText()).body();
    assertThat(job.get("params").get("text").asText()).isEqualTo("欢迎 甲、乙 加入门店群 0001");

    agent.send(new AgentHeard("later-1", "dev-1", "acc-1", T.plusSeconds(60), T.plusSeconds(61), List.of(new AgentHeard.Chat("门店群 0001", "group", 1, List.of(
        new AgentHeard.Line("22", "丙", false, "system", "12:01", T.toEpochMilli() + 60_000, "丙 通过扫描群二维码加入群聊")), null)), null, List.of()));
    JsonNode both = controller.await("/groups/g-1/welcomes", b -> b.size() == 2 && b.get(0).get("state").asText().equals("queued"), Duration.ofSeconds(20)).body();
    assertThat(both.get(0).get("names").toString()).isEqualTo("[\"丙\"]");
    assertThat(controller.get("/audit").body().findValuesAsText("action")).contains("welcome-rule.put");
  }

  @Test
  void aLinkAdFromACustomerRemovesAndBlacklistsHimStaffIsNeverTouchedAndARejoinIsRemovedAgainNotWelcomed() {
    refused("/spam-rules/r1", "{\"groupTag\":\"store\",\"remove\":true}", "keywords");
    refused("/spam-rules/r1", "{\"groupTag\":\"store\",\"links\":true}", "warn");
    refused("/spam-rules/r1", "{\"groupTag\":\"store\",\"links\":true,\"warn\":true}", "warning");
    refused("/spam-rules/r1", "{\"groupTag\":\"store\",\"burst\":{\"messages\":1,\"seconds\":60},\"remove\":true}", "burst.messages");
    refused("/spam-rules/r1", "{\"groupId\":\"g-9\",\"links\":true,\"remove\":true}", "groupId");
    assertThat(controller.get("/spam-rules").body()).as("nothing stored").isEmpty();
    assertThat(controller.put("/spam-rules/r1", "{\"groupTag\":\"store\",\"keywords\":[\"代购\"],\"links\":true,\"blacklist\":true}").status()).isEqualTo(200);
    assertThat(controller.put("/welcome-rules/w1", "{\"groupTag\":\"store\",\"batchSeconds\":1,\"minGapMinutes\":0,"
        + "\"content\":{\"kind\":\"text\",\"text\":\"欢迎 {nickname}\"}}").status()).isEqualTo(200);
    assertThat(controller.put("/accounts/acc-1/staff", "{\"names\":[\"店长\"]}").status()).isEqualTo(200);

    ControllerListen ask = agent.next(ControllerListen.class, 30_000);
    agent.send(new AgentHeard(ask.listenId(), "dev-1", "acc-1", T, T.plusSeconds(1), List.of(new AgentHeard.Chat("门店群 0001", "group", 3, List.of(
        new AgentHeard.Line("30", "店长", false, "link", "12:00", T.toEpochMilli(), "本店新品 https://shop.example.com/new"),
        new AgentHeard.Line("31", "广告哥", false, "text", "12:00", T.toEpochMilli() + 100, "低价代购 加我 www.ads.example.com"),
        new AgentHeard.Line("32", "广告哥", false, "text", "12:00", T.toEpochMilli() + 200, "还有兼职 https://ads.example.com/job")), null)), null, List.of()));

    JsonNode actions = controller.await("/groups/g-1/spam-actions", b -> b.size() >= 2, Duration.ofSeconds(10)).body();
    assertThat(actions.findValuesAsText("name")).containsOnly("广告哥");
    assertThat(actions.findValuesAsText("action")).containsExactlyInAnyOrder("blacklist", "remove");
    assertThat(actions.findValuesAsText("evidence")).contains("低价代购 加我 www.ads.example.com");
    assertThat(removeJobs()).as("one removal for two ads, none for staff").hasSize(1);
    assertThat(controller.get("/audit").body().findValuesAsText("action")).contains("member.remove", "staff.put", "spam-rule.put");

    // He comes back: removed again, and never welcomed.
    agent.send(new AgentHeard("rejoin-1", "dev-1", "acc-1", T.plusSeconds(60), T.plusSeconds(61), List.of(new AgentHeard.Chat("门店群 0001", "group", 2, List.of(
        new AgentHeard.Line("33", "广告哥", false, "system", "12:01", T.toEpochMilli() + 60_000, "广告哥 通过扫描群二维码加入群聊"),
        new AgentHeard.Line("34", "新客", false, "system", "12:01", T.toEpochMilli() + 61_000, "新客 通过扫描群二维码加入群聊")), null)), null, List.of()));
    controller.await("/groups/g-1/welcomes", b -> b.size() == 1 && b.get(0).get("state").asText().equals("queued"), Duration.ofSeconds(20));
    assertThat(controller.get("/groups/g-1/welcomes").body().get(0).get("names").toString()).isEqualTo("[\"新客\"]");
    assertThat(removeJobs()).as("the first removal is still open: one at a time").hasSize(1);
  }

  @Test
  void aGroupCodeFillsItsPoolInOrderRollsOverAndSaysWhenNoGroupHasRoom() {
    controller.post("/groups", "{\"id\":\"g-2\",\"name\":\"门店群 0002\",\"accountId\":\"acc-1\",\"tags\":[\"store\"]}");
    String pool = "\"pools\":[{\"key\":\"门店12\",\"groups\":[\"g-1\",\"g-2\"]}]";
    refused("/group-codes/stores", "{\"memberCap\":0," + pool + "}", "memberCap");
    refused("/group-codes/stores", "{\"memberCap\":5,\"margin\":5," + pool + "}", "margin");
    refused("/group-codes/stores", "{\"pools\":[{\"key\":\"门店12\",\"groups\":[\"g-1\",\"g-9\"]}]}", "pools[0].groups[1]");
    refused("/group-codes/stores", "{\"pools\":[{\"key\":\"门店12\",\"groups\":[\"g-1\"],\"lat\":91,\"lng\":121}]}", "pools[0].lat");
    assertThat(controller.get("/group-codes").body()).as("nothing stored").isEmpty();
    assertThat(controller.put("/group-codes/stores", "{\"memberCap\":5,\"margin\":1," + pool + "}").status()).isEqualTo(200);
    // Three customers who came through store 12's channel code (tagged 门店12), one who did not.
    controller.post("/events", "{\"events\":[" + String.join(",", List.of(
        "{\"id\":\"e-1\",\"type\":\"customer_added\",\"customerId\":\"c-1\",\"nickname\":\"一号\",\"channelCode\":\"store-12\"}",
        "{\"id\":\"e-2\",\"type\":\"customer_added\",\"customerId\":\"c-2\",\"nickname\":\"二号\",\"channelCode\":\"store-12\"}",
        "{\"id\":\"e-3\",\"type\":\"customer_added\",\"customerId\":\"c-3\",\"nickname\":\"三号\",\"channelCode\":\"store-12\"}",
        "{\"id\":\"e-4\",\"type\":\"customer_added\",\"accountId\":\"acc-1\",\"customerId\":\"c-4\",\"nickname\":\"四号\"}")) + "]}");
    // The devices read the pool's groups (the code asked for them): g-1 shows 3 members, g-2 shows 3.
    ControllerListen ask = agent.next(ControllerListen.class, 30_000);
    agent.send(new AgentHeard(ask.listenId(), "dev-1", "acc-1", T, T.plusSeconds(1), List.of(
        new AgentHeard.Chat("门店群 0001", "group", 0, List.of(), null, 3), new AgentHeard.Chat("门店群 0002", "group", 0, List.of(), null, 3)), null, List.of()));
    controller.await("/group-codes/stores/report", b -> b.get("byGroup").get(0).get("members").asInt() == 3, Duration.ofSeconds(10));

    JsonNode first = controller.post("/group-codes/stores/resolve", "{\"customerId\":\"c-1\"}").body();
    assertThat(first.get("groupId").asText()).as("3 members + 1 invitation fit under 5 less 1").isEqualTo("g-1");
    assertThat(controller.post("/group-codes/stores/resolve", "{\"customerId\":\"c-1\"}").body().get("fresh").asBoolean())
        .as("asked again while the invitation is pending: the same one").isFalse();
    assertThat(controller.post("/group-codes/stores/resolve", "{\"customerId\":\"c-2\"}").body().get("groupId").asText())
        .as("g-1 is full with the pending invitation: the pool rolls over").isEqualTo("g-2");
    assertThat(controller.get("/jobs/" + first.get("jobId").asText()).body().get("params").get("group_name").asText()).isEqualTo("门店群 0001");
    RunningController.Reply none = controller.post("/group-codes/stores/resolve", "{\"customerId\":\"c-4\"}");
    assertThat(none.status()).as("no pool takes an untagged customer").isEqualTo(409);
    // 一号 joins g-1; g-2 takes 三号 (3 + 1 pending < 4); then nothing has room.
    agent.send(new AgentHeard("join-1", "dev-1", "acc-1", T.plusSeconds(60), T.plusSeconds(61), List.of(new AgentHeard.Chat("门店群 0001", "group", 1, List.of(
        new AgentHeard.Line("40", "一号", false, "system", "12:01", T.toEpochMilli() + 60_000, "一号 接受你的邀请加入了群聊")), null)), null, List.of()));
    controller.await("/group-codes/stores/report", b -> b.get("joined").asInt() == 1, Duration.ofSeconds(10));
    assertThat(controller.post("/group-codes/stores/resolve", "{\"customerId\":\"c-3\"}").status()).isEqualTo(409);
    assertThat(controller.get("/alerts").body().toString()).contains("group-code:full", "pool 门店12");
    JsonNode report = controller.get("/group-codes/stores/report").body();
    assertThat(report.get("invited").asInt()).isEqualTo(2);
    assertThat(report.get("byGroup").get(0).get("members").asInt()).isEqualTo(4);
  }

  private List<String> removeJobs() {
    List<String> ids = new ArrayList<>();
    controller.get("/jobs?limit=100").body().forEach(j -> {
      if (j.get("action").asText().equals("remove_member")) {
        ids.add(j.get("id").asText());
      }
    });
    return ids;
  }

  private void refused(String path, String body, String field) {
    RunningController.Reply r = controller.put(path, body);
    assertThat(r.status()).as(r.body().toString()).isIn(400, 404);
    assertThat(r.body().get("field").asText()).isEqualTo(field);
  }

  private List<String> acceptJobs() {
    List<String> ids = new ArrayList<>();
    controller.get("/jobs?limit=100").body().forEach(j -> {
      if (j.get("action").asText().equals("accept_friend")) {
        ids.add(j.get("id").asText());
      }
    });
    return ids;
  }
}
