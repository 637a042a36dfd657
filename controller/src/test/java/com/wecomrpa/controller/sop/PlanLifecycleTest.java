package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.controller.ControllerApiTest;
import com.wecomrpa.controller.RunningControllerAccess;
import com.wecomrpa.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans over the REST API on a manual clock, with no agent: what the expander and the rules decide. */
class PlanLifecycleTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final LocalDate DAY = LocalDate.of(2026, 12, 1);

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(at("00:00"));
  RunningControllerAccess controller;

  static java.time.Instant at(String time) {
    return ZonedDateTime.of(DAY, LocalTime.parse(time), SHANGHAI).toInstant();
  }

  @BeforeEach
  void start() {
    controller = RunningControllerAccess.start(dir, clock);
    controller.post("/accounts", Fixtures.anAccount("acc-1"));
    controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store:001"));
    controller.post("/groups", Fixtures.aGroup("g-2", "acc-1", "store:002"));
  }

  @AfterEach
  void stop() {
    controller.close();
  }


  JsonNode jobs(String query) {
    return controller.get("/jobs?" + query).body();
  }

  JsonNode awaitJobs(String query, Predicate<JsonNode> check) {
    return controller.await("/jobs?" + query, check, Duration.ofSeconds(10)).body();
  }

  @Test
  void aPreviewSaysWhatAPlanWouldPostAndWhereAndStoresNothing() {
    RunningControllerAccess.Reply preview = controller.post("/plans?preview=true&days=2", Fixtures.aGroupPlan("morning", 5, "09:00", "18:00"));

    assertThat(preview.status()).isEqualTo(200);
    JsonNode p = preview.body();
    // Two store groups, two posts a day, over today (it is midnight in Shanghai) and tomorrow.
    assertThat(p.get("count").asInt()).isEqualTo(2);
    assertThat(p.get("byAccount").get("acc-1").asInt()).isEqualTo(2);
    assertThat(p.get("jobs").asInt()).isEqualTo(8);
    assertThat(p.get("next").get(0).get("local").asText()).isEqualTo("2026-12-01 09:00 Asia/Shanghai");
    assertThat(p.get("next").get(0).get("targets").asInt()).isEqualTo(2);
    assertThat(p.get("next").get(1).get("local").asText()).startsWith("2026-12-01 18:00");
    assertThat(p.get("next").get(1).get("step").asInt()).as("the second step, s1 in job ids").isEqualTo(1);
    // Nothing was stored: no plan, no job.
    assertThat(controller.get("/plans").body()).isEmpty();
    assertThat(jobs("planId=morning")).isEmpty();
    assertThat(jobs("limit=10")).isEmpty();

    RunningControllerAccess.Reply bad = controller.post("/plans?preview=true&days=90", Fixtures.aGroupPlan("morning", 5, "09:00"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body().get("field").asText()).isEqualTo("days");
    RunningControllerAccess.Reply badTime = controller.post("/plans?preview=true", Fixtures.aGroupPlan("morning", 5, "25:00"));
    assertThat(badTime.status()).isEqualTo(400);
    assertThat(badTime.body().get("field").asText()).startsWith("steps");
  }

  @Test
  void theDailyCapIsSharedByPriorityThenTimeAndTheLosersNameTheWinners() {
    controller.post("/plans", Fixtures.aGroupPlan("low", 1, "09:00", "12:00"));
    controller.post("/plans", Fixtures.aGroupPlan("high", 10, "18:00", "20:00"));

    JsonNode skipped = awaitJobs("groupId=g-1&state=SKIPPED", j -> j.size() == 1);

    // high (priority 10) takes 18:00 and 20:00; of low's two, the earlier wins the last place.
    assertThat(skipped.get(0).get("id").asText()).contains("plan:low:").contains(":s1:g-1:");
    assertThat(skipped.get(0).get("reason").asText()).isEqualTo("quota:group-daily; 3 posts on 2026-12-01 won by high, low");
    assertThat(jobs("groupId=g-1&state=QUEUED")).hasSize(3);
    // The jobs list finds what a rule decided.
    assertThat(jobs("groupId=g-1&rule=sop-ranking")).hasSize(1);
  }

  @Test
  void anAccountsOwnCapFromATagOverrideIsTheOneTheRankingUses() {
    controller.post("/accounts", "{\"id\":\"acc-new\",\"platform\":\"wecom\",\"displayName\":\"New\",\"timeZone\":\"Asia/Shanghai\",\"tags\":[\"careful\"]}");
    controller.post("/groups", Fixtures.aGroup("n-1", "acc-new", "store:101"));
    assertThat(controller.put("/limits/tags/careful", "{\"values\":{\"postsPerGroupPerDay\":\"2\"},\"reason\":\"new account\"}").status()).isEqualTo(200);
    controller.post("/plans", Fixtures.aGroupPlan("low", 1, "09:00", "12:00"));
    controller.post("/plans", Fixtures.aGroupPlan("high", 10, "18:00"));

    JsonNode skipped = awaitJobs("groupId=n-1&state=SKIPPED", j -> j.size() == 1);

    // Two posts a day for this account: high's, and low's earlier one.
    assertThat(skipped.get(0).get("id").asText()).contains("plan:low:").contains(":s1:n-1:");
    assertThat(skipped.get(0).get("reason").asText()).isEqualTo("quota:group-daily; 2 posts on 2026-12-01 won by high, low");
    assertThat(jobs("groupId=n-1&state=QUEUED")).hasSize(2);
    // The default cap of 3 still holds for the account without the tag.
    assertThat(jobs("groupId=g-1&state=QUEUED")).hasSize(3);
  }

  @Test
  void aBroadcastTakesItsPlaceInTheDayAndTheLowestPriorityPlanPostGivesWay() {
    clock.set(at("08:00"));
    controller.post("/plans", Fixtures.aGroupPlan("low", 1, "09:00"));
    controller.post("/plans", Fixtures.aGroupPlan("mid", 5, "12:00"));
    controller.post("/plans", Fixtures.aGroupPlan("high", 10, "15:00"));
    awaitJobs("groupId=g-1&state=QUEUED", j -> j.size() == 3);

    controller.post("/broadcasts", Fixtures.aBroadcast("flash-sale", "today only", "g-1"));

    JsonNode skipped = awaitJobs("groupId=g-1&state=SKIPPED", j -> j.size() == 1);
    assertThat(skipped.get(0).get("id").asText()).contains("plan:low:");
    assertThat(skipped.get(0).get("reason").asText()).isEqualTo("quota:group-daily; 3 posts on 2026-12-01 won by flash-sale, high, mid");
    assertThat(skipped.get(0).get("decidedBy").asText()).isEqualTo("sop-ranking");
    assertThat(jobs("groupId=g-1&state=QUEUED").findValuesAsText("id")).anyMatch(id -> id.contains("plan:mid:")).anyMatch(id -> id.contains("plan:high:"))
        .anyMatch(id -> id.equals("broadcast:flash-sale:g-1"));
    // The other group has no broadcast: its three plan posts all stand.
    assertThat(jobs("groupId=g-2&state=QUEUED")).hasSize(3);
  }

  @Test
  void expandingAgainOrAfterARestartCreatesNothingTwice() {
    controller.post("/plans", Fixtures.aGroupPlan("news", 0, "09:00", "15:29"));
    awaitJobs("planId=news", j -> j.size() == 4);
    controller.awaitExpansions(2); // two more periodic expansions, which must add nothing

    controller.restart();
    controller.awaitExpansions(2);

    assertThat(jobs("planId=news")).hasSize(4);
    clock.set(at("23:00"));
    // the horizon (24h) now reaches tomorrow's 09:00 and 15:29 too: two more per group
    assertThat(awaitJobs("planId=news", j -> j.size() == 8)).hasSize(8);
  }

  @Test
  void aJobPastItsWindowIsSkippedExpiredInsteadOfPostedLate() {
    controller.post("/plans", Fixtures.aGroupPlan("coupon", 0, "15:29"));
    awaitJobs("planId=coupon", j -> j.size() == 2);

    clock.set(at("22:00")); // no device ever came for it

    JsonNode expired = awaitJobs("planId=coupon&state=SKIPPED", j -> j.size() == 2);
    assertThat(expired).allSatisfy(j -> assertThat(j.get("reason").asText()).isEqualTo("expired"));
  }

  @Test
  void editingPausingAndResumingAPlanKeepsHistoryAndFutureJobsFollowTheLatestVersion() {
    controller.post("/plans", Fixtures.aGroupPlan("news", 0, "09:00"));
    awaitJobs("planId=news&state=QUEUED", j -> j.size() == 2);
    clock.set(at("08:00"));

    var edited = controller.put("/plans/news", Fixtures.aGroupPlan("news", 0, "10:00").replace("news 10:00", "edited 10:00"));
    assertThat(edited.status()).isEqualTo(200);
    assertThat(edited.body().get("version").asInt()).isEqualTo(2);

    JsonNode queued = awaitJobs("planId=news&state=QUEUED", j -> j.size() == 2 && j.get(0).get("id").asText().contains(":v2:"));
    assertThat(queued).allSatisfy(j -> assertThat(j.get("params").get("text").asText()).startsWith("edited 10:00"));
    assertThat(jobs("planId=news&state=CANCELLED")).hasSize(2)
        .allSatisfy(j -> assertThat(j.get("reason").asText()).isEqualTo("plan updated to version 2"));

    controller.post("/plans/news/pause", "");
    awaitJobs("planId=news&state=QUEUED", JsonNode::isEmpty);
    controller.post("/plans/news/resume", "");
    assertThat(awaitJobs("planId=news&state=QUEUED", j -> j.size() == 2)).allSatisfy(j -> assertThat(j.get("id").asText()).contains(":v4:"));

    JsonNode history = controller.get("/plans/news/history").body();
    assertThat(history).extracting(h -> h.get("change").asText()).containsExactly("created", "updated", "paused", "resumed");
    assertThat(history.get(1).get("spec").get("steps").get(0).get("at").asText()).isEqualTo("10:00");
  }

  @Test
  void aBadEventInABatchRefusesTheBatchNamingTheFieldAndStoresNothing() {
    String good = "{\"id\":\"e-1\",\"type\":\"friend_added\",\"accountId\":\"acc-1\",\"customerId\":\"c-1\",\"nickname\":\"小王\"}";
    String bad = "{\"id\":\"e-2\",\"type\":\"birthday\",\"customerId\":\"c-2\"}";

    var reply = controller.post("/events", "{\"events\":[" + good + "," + bad + "]}");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.body().get("field").asText()).isEqualTo("events[1].type");
    assertThat(controller.get("/customers/c-1").status()).isEqualTo(404);
    var unknownAccount = controller.post("/events", "{\"events\":[" + good.replace("acc-1", "acc-404") + "]}");
    assertThat(unknownAccount.status()).isEqualTo(404);
    assertThat(unknownAccount.body().get("field").asText()).isEqualTo("events[0].accountId");
    assertThat(controller.post("/events", "{\"events\":[" + good + "]}").body().get("accepted").asInt()).isEqualTo(1);
    assertThat(controller.get("/customers/c-1").body().get("nickname").asText()).isEqualTo("小王");
  }

  @Test
  void aNewGroupMatchingARunningPlanIsPickedUpFromItsNextOccurrence() {
    controller.post("/plans", Fixtures.aGroupPlan("news", 0, "09:00", "18:00"));
    awaitJobs("planId=news", j -> j.size() == 4);
    clock.set(at("12:00"));

    controller.post("/groups", Fixtures.aGroup("g-3", "acc-1", "store:003"));

    JsonNode forNew = awaitJobs("planId=news&groupId=g-3", j -> j.size() == 2);
    // today's 09:00 is past for it; today's 18:00 and tomorrow's 09:00 are its next occurrences
    assertThat(forNew).extracting(j -> j.get("id").asText()).containsExactlyInAnyOrder(
        "plan:news:v1:s1:g-3:2026-12-01", "plan:news:v1:s0:g-3:2026-12-02");
  }
}
