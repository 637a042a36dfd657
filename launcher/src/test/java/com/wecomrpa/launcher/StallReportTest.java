package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stalled demo names what holds its work, from what the controller's API answers. */
class StallReportTest {
  private static final Map<String, Object> API = Map.of(
      "/accounts", new JsonArray()
          .add(new JsonObject().put("id", "acc-1").put("status", "cooling"))
          .add(new JsonObject().put("id", "acc-2").put("status", "active")),
      "/alerts", new JsonArray()
          .add(new JsonObject().put("at", "2026-12-01T07:00:00Z").put("accountId", "acc-1").put("kind", "risk:too-frequent").put("detail", "saw 操作过于频繁")),
      "/accounts/acc-1/usage", new JsonObject().put("coolingUntil", "2026-12-01T08:00:00Z"),
      "/jobs?state=QUEUED&limit=10000", new JsonArray()
          .add(job("acc-1", "account-status", null, "account-status: account acc-1 is cooling", "2026-12-01T08:00:00Z"))
          .add(job("acc-1", "account-status", "risk:too-frequent: account cooling; waits for the account", "account-status: account acc-1 is cooling",
              "2026-12-01T08:00:00Z"))
          .add(job("acc-2", "group-reachability", "held: group g-7 unreachable (job j did not find it)", null, null)),
      "/devices", new JsonArray().add(new JsonObject().put("deviceId", "dev-1").put("accountId", "acc-1").put("state", "idle")));

  private static JsonObject job(String account, String decidedBy, String reason, String waitNote, String until) {
    return new JsonObject().put("accountId", account).put("decidedBy", decidedBy).put("reason", reason).put("waitNote", waitNote).put("waitUntil", until);
  }

  @Test
  void namesTheCoolingAccountWithItsWarningTheRuleHoldingJobsHeldGroupsAndAnAccountWithoutADevice() {
    List<String> holders = new StallReport(API::get).holders();
    assertThat(holders).anySatisfy(h -> assertThat(h).startsWith("account acc-1 cooling until ").contains("risk:too-frequent saw 操作过于频繁"));
    assertThat(holders).anySatisfy(h -> assertThat(h).startsWith("2 queued waiting on account-status until ").contains("(e.g. account-status: account acc-1 is cooling)"));
    assertThat(holders).anySatisfy(h -> assertThat(h).startsWith("1 queued held (e.g. held: group g-7 unreachable"));
    assertThat(holders).contains("no working device for acc-2 (1 queued)");
  }

  @Test
  void aControllerThatDoesNotAnswerIsTheReason() {
    List<String> holders = new StallReport(path -> {
      throw new IllegalStateException("no controller answered GET " + path);
    }, () -> List.of("controller-2 does not answer /ready")).holders();
    assertThat(holders).containsExactly("controller-2 does not answer /ready", "the controller does not answer: no controller answered GET /accounts");
  }
}
