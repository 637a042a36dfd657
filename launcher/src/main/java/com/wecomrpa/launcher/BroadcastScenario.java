package com.wecomrpa.launcher;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One broadcast to every group; the simulator must show exactly one message in each. */
final class BroadcastScenario {
  static final String TEXT = "早安！本周门店会员日，全场满199减30，欢迎进店选购。";

  private BroadcastScenario() {}

  static int run(DemoStack stack) {
    int groupCount = stack.fleet.groups().size();
    if (groupCount == 0) {
      return 0;
    }
    long t0 = System.nanoTime();
    Processes.await(stack.api.broadcastToTag("demo-broadcast", TEXT, "demo"), Duration.ofSeconds(60));
    JsonObject b;
    String lastLine = "";
    long lastPrinted = 0;
    Stall stall = new Stall(new StallReport(stack::getAny));
    while (true) {
      sleep(1000);
      b = stack.get("/broadcasts/demo-broadcast");
      JsonObject p = b.getJsonObject("progress");
      int open = p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("RUNNING");
      String line =
          String.format("progress: %d/%d done  sent=%d skipped=%d failed=%d in-flight=%d",
              groupCount - open, groupCount, p.getInteger("SUCCEEDED"), p.getInteger("SKIPPED"), failed(p), p.getInteger("LEASED") + p.getInteger("RUNNING"));
      // A line every 5 s at most: enough to follow, short enough to read (the console shows it live).
      if (!line.equals(lastLine) && (open == 0 || System.nanoTime() - lastPrinted >= 5_000_000_000L)) {
        System.out.println(line);
        lastLine = line;
        lastPrinted = System.nanoTime();
      }
      if (open == 0) {
        break;
      }
      if (stall.giveUp(groupCount - open)) {
        return 3;
      }
    }
    long wallSeconds = Math.round((System.nanoTime() - t0) / 1e9);
    JsonObject p = b.getJsonObject("progress");
    JsonObject times = b.getJsonObject("sendTimes");
    if (times == null) {
      System.out.println("send time on device: nothing sent");
    } else {
      System.out.printf("send time on device: mean=%dms p95=%dms over %d sends%n", times.getLong("meanMillis"), times.getLong("p95Millis"), times.getInteger("count"));
    }
    System.out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", p.getInteger("SUCCEEDED"), p.getInteger("SKIPPED"), failed(p), wallSeconds);

    // The truth is what the client received, not what the controller believes.
    Map<String, Integer> counts = stack.sim.world().messageCounts();
    List<String> wrong = counts.entrySet().stream().filter(e -> e.getValue() != 1).map(e -> e.getKey() + "=" + e.getValue()).toList();
    if (!wrong.isEmpty()) {
      System.out.printf("simulator check FAILED: %d of %d groups hold other than exactly one message: %s%n",
          wrong.size(), counts.size(), wrong.subList(0, Math.min(20, wrong.size())));
      return 1;
    }
    System.out.printf("simulator check: all %d groups hold exactly one message%n", counts.size());
    return failed(p) == 0 ? 0 : 1;
  }

  static int failed(JsonObject progress) {
    return progress.getInteger("FAILED", 0) + progress.getInteger("UNKNOWN", 0) + progress.getInteger("CANCELLED", 0);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
