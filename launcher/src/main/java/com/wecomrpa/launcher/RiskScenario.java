package com.wecomrpa.launcher;

import com.wecomrpa.simulator.RiskEvent;
import com.wecomrpa.simulator.RiskModel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/**
 * One account runs into a deliberately tight platform risk model: after its first warning the
 * controller must stop it (cooling) while the other accounts finish their part of a broadcast.
 */
final class RiskScenario {
  static final int TIGHT_SENDS = 5;

  private RiskScenario() {}

  static int run(DemoStack stack) {
    String risky = stack.fleet.accounts().get(0);
    stack.sim.setRiskModel(risky, new RiskModel(TIGHT_SENDS, Duration.ofMinutes(10), 3, Duration.ofMinutes(10)));
    System.out.printf("%s is judged by a tight platform rule: more than %d sends in 10 minutes is \"操作过于频繁\"%n", risky, TIGHT_SENDS);
    long t0 = System.nanoTime();
    Processes.await(stack.api.broadcastToTag("risk-demo", "今晚八点直播，福利不停", "demo"), Duration.ofSeconds(60));

    String last = "";
    while (true) {
      BroadcastScenario.sleep(500);
      JsonObject usage = stack.get("/accounts/" + risky + "/usage");
      JsonObject p = stack.get("/broadcasts/risk-demo").getJsonObject("progress");
      long othersOpen = openJobsOfOthers(stack, risky);
      String line = String.format("%s is %s; sent=%d queued=%d running=%d; other accounts still to go: %d",
          risky, usage.getString("status"), p.getInteger("SUCCEEDED"), p.getInteger("QUEUED"), p.getInteger("LEASED") + p.getInteger("RUNNING"), othersOpen);
      if (!line.equals(last)) {
        System.out.println(line);
        last = line;
      }
      if (!usage.getString("status").equals("active") && othersOpen == 0 && p.getInteger("LEASED") + p.getInteger("RUNNING") == 0) {
        break;
      }
    }
    BroadcastScenario.sleep(2000); // a send that should not happen would show up now
    long wall = Math.round((System.nanoTime() - t0) / 1e9);
    JsonObject p = stack.get("/broadcasts/risk-demo").getJsonObject("progress");
    JsonObject usage = stack.get("/accounts/" + risky + "/usage");
    JsonArray alerts = stack.getArray("/alerts");
    for (String a : stack.fleet.accounts()) {
      long n = stack.sim.world().allMessages().stream().filter(m -> m.accountId().equals(a)).count();
      System.out.printf("account %s: %d messages in the client, status %s%n", a, n, stack.get("/accounts/" + a + "/usage").getString("status"));
    }
    if (!alerts.isEmpty()) {
      System.out.println("alert: " + alerts.getJsonObject(0).getString("detail"));
    }
    System.out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", p.getInteger("SUCCEEDED"), p.getInteger("SKIPPED"), BroadcastScenario.failed(p), wall);

    List<RiskEvent> events = stack.sim.riskEvents();
    long riskySent = stack.sim.world().allMessages().stream().filter(m -> m.accountId().equals(risky)).count();
    boolean othersDone = stack.fleet.accounts().stream().skip(1).allMatch(a ->
        stack.sim.world().allMessages().stream().filter(m -> m.accountId().equals(a)).count()
            == stack.fleet.groups().stream().filter(g -> g.accountId().equals(a)).count());
    boolean ok = usage.getString("status").equals("cooling") && events.size() == 1 && riskySent == TIGHT_SENDS && othersDone && BroadcastScenario.failed(p) == 0;
    System.out.printf("simulator check %s: %d warning(s), %d restriction(s); %s sent %d and nothing after its warning; other accounts %s%n",
        ok ? "ok" : "FAILED", events.stream().filter(e -> e.kind().equals("too-frequent")).count(),
        events.stream().filter(e -> e.kind().equals("restricted")).count(), risky, riskySent, othersDone ? "finished" : "did NOT finish");
    return ok ? 0 : 1;
  }

  private static long openJobsOfOthers(DemoStack stack, String risky) {
    long open = 0;
    for (String state : List.of("QUEUED", "LEASED", "RUNNING")) {
      open += stack.getArray("/jobs?broadcastId=risk-demo&state=" + state).stream()
          .filter(j -> !((JsonObject) j).getString("accountId").equals(risky)).count();
    }
    return open;
  }
}
