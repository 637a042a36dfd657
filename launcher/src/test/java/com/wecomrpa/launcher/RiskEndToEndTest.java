package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.RiskModel;
import com.wecomrpa.time.ManualClock;
import com.wecomrpa.time.SimulatedClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Risk states and human pace, judged by the simulator's own risk model and record. */
class RiskEndToEndTest {
  @TempDir Path dir;
  TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  void start(Clock clock, String... accountsAndGroupCounts) {
    stack = TestStack.start(dir, clock, false, o -> o);
    List<ChatWorld.Account> accounts = new ArrayList<>();
    List<ChatWorld.Group> simGroups = new ArrayList<>();
    JsonArray groups = new JsonArray();
    for (String spec : accountsAndGroupCounts) {
      String account = spec.split(":")[0];
      int n = Integer.parseInt(spec.split(":")[1]);
      accounts.add(new ChatWorld.Account(account, "Bot " + account));
      for (int i = 1; i <= n; i++) {
        String id = account + "-g" + i;
        simGroups.add(new ChatWorld.Group(id, account, account + " 门店群 " + i));
        groups.add(new JsonObject().put("id", id).put("name", account + " 门店群 " + i).put("accountId", account).put("tags", new JsonArray().add("all")));
      }
    }
    stack.sim.world().addAccounts(accounts);
    stack.sim.world().addGroups(simGroups);
    for (ChatWorld.Account a : accounts) {
      TestStack.await(stack.api.createAccount(a.id(), "wecom", a.name(), "Asia/Shanghai"));
    }
    TestStack.await(stack.api.createGroups(groups));
  }

  long sent(String account) {
    return stack.sim.world().allMessages().stream().filter(m -> m.accountId().equals(account)).count();
  }

  @Test
  void aSimulatorWarningStopsTheAccountWithinOneJobWhileOtherAccountsCarryOnAndResumeWorks() {
    Instant noon = ZonedDateTime.of(LocalDate.of(2026, 12, 1), LocalTime.NOON, ZoneId.of("Asia/Shanghai")).toInstant();
    ManualClock clock = new ManualClock(noon);
    start(clock, "acc-1:6", "acc-2:4");
    stack.sim.setRiskModel("acc-1", new RiskModel(3, Duration.ofMinutes(10), 3, Duration.ofMinutes(10)));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1"), stack.device("dev-2", "acc-2")));

    TestStack.await(stack.api.broadcastToTag("promo", "周末特惠，到店有礼", "all"));

    TestStack.waitUntil("acc-1 is cooling and acc-2 has sent all", Duration.ofSeconds(90),
        () -> "cooling".equals(stack.getObject("/accounts/acc-1/usage").getString("status")) && sent("acc-2") == 4);
    // Nothing more may go out from acc-1: four dispatch passes that would have offered it a job, and nothing on its way.
    stack.awaitSweeps(4);
    TestStack.waitUntil("no send of acc-1 in flight", Duration.ofSeconds(30), () -> stack.sim.sendsInFlight("acc-1") == 0);

    assertThat(sent("acc-1")).isEqualTo(3);
    assertThat(stack.sim.riskEvents()).extracting(e -> e.accountId() + ":" + e.kind()).containsExactly("acc-1:too-frequent");
    JsonArray acc1Jobs = stack.getArray("/jobs?broadcastId=promo&state=QUEUED");
    assertThat(acc1Jobs).hasSize(3);
    assertThat(acc1Jobs.stream().map(j -> ((JsonObject) j).getString("reason")).filter(r -> r != null && r.startsWith("risk:too-frequent"))).hasSize(1);
    JsonObject alert = stack.getArray("/alerts").getJsonObject(0);
    assertThat(alert.getString("accountId")).isEqualTo("acc-1");
    assertThat(alert.getString("kind")).isEqualTo("risk:too-frequent");
    assertThat(TestStack.await(stack.api.get("/../../metrics")).bodyAsString()).contains("wecom_rpa_risk_signals_total{account=\"acc-1\",signal=\"too-frequent\"} 1");

    // A quarter of an hour on (the platform has forgotten the warning; the 60-minute cool-down has
    // not ended), an admin resumes the account by hand, under the same strict platform rules.
    clock.advance(Duration.ofMinutes(15));
    assertThat(stack.getObject("/accounts/acc-1/usage").getString("status")).isEqualTo("cooling");
    stack.post("/accounts/acc-1/resume", new JsonObject().put("reason", "cooled down, checked by ops"));
    TestStack.waitUntil("acc-1 finished after resume", Duration.ofSeconds(60), () -> sent("acc-1") == 6);
    // The client has the last message a moment before the agent's report reaches the controller.
    TestStack.waitUntil("the controller has all ten reports", Duration.ofSeconds(15),
        () -> stack.getObject("/broadcasts/promo").getJsonObject("progress").getInteger("SUCCEEDED") == 10);
    assertThat(sent("acc-1")).isEqualTo(6);
  }

  @Test
  void withATwentySecondGapGiveOrTakeFiveAnAccountsSendsAreNeverCloserThanFifteenSeconds() {
    // Business time at 10x: a send takes the device well under 20 business seconds, so only the
    // gap keeps them apart.
    start(new SimulatedClock(Instant.now(), 10), "acc-1:6");
    stack.put("/limits/accounts/acc-1", new JsonObject().put("values", new JsonObject().put("minGapSeconds", "20").put("gapJitterSeconds", "5")).put("reason", "human pace"));
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));

    TestStack.await(stack.api.broadcastToTag("paced", "慢慢来", "all"));
    TestStack.waitUntil("six paced sends", Duration.ofSeconds(90), () -> sent("acc-1") == 6);

    // The gap is kept between the account's claims. Measured there (in real time, times the
    // clock's 10), not at the simulator: how long each send then takes to land varies with the
    // host's load, and ten times that variance in business time is no property of the pace.
    List<Instant> leased = new java.util.ArrayList<>();
    for (Object j : stack.getArray("/jobs?broadcastId=paced")) {
      for (Object e : stack.getArray("/jobs/" + ((JsonObject) j).getString("id") + "/executions")) {
        leased.add(Instant.parse(((JsonObject) e).getString("leasedAt")));
      }
    }
    java.util.Collections.sort(leased);
    assertThat(leased).hasSize(6);
    for (int i = 1; i < leased.size(); i++) {
      assertThat(Duration.between(leased.get(i - 1), leased.get(i)).multipliedBy(10)).as("business time between claims %d and %d", i, i + 1)
          .isGreaterThanOrEqualTo(Duration.ofSeconds(15));
    }
    assertThat(stack.sim.world().allMessages()).hasSize(6);
  }
}
