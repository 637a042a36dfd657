package com.wecomrpa.launcher;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.agent.AgentOptions;
import com.wecomrpa.agent.DeviceProfile;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import com.wecomrpa.controller.Controller;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.controller.cluster.LoopbackCluster;
import com.wecomrpa.simulator.Simulator;
import com.wecomrpa.simulator.SimulatorOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything on one machine: simulator, controller, one agent with a headless Chromium per account,
 * and one broadcast to every group. Ends with the summary line scripts read, then checks the
 * simulator's own record: every group must hold exactly one message.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run controller + simulator + agent and broadcast to every group.")
final class DemoCommand implements Callable<Integer> {
  static final String TEXT = "早安！本周门店会员日，全场满199减30，欢迎进店选购。";

  @Option(names = "--accounts", defaultValue = "3", description = "bot accounts, one device each (default ${DEFAULT-VALUE})")
  int accounts;

  @Option(names = "--groups", defaultValue = "-1", description = "groups in all, spread over the accounts (default 200 per account)")
  int groups;

  @Option(names = "--exit-when-done", description = "exit after the summary: 0 only if nothing failed and every group got exactly one message")
  boolean exitWhenDone;

  @Option(names = "--data", defaultValue = "data/demo", description = "data folder, emptied at start (default ./${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--scripts", defaultValue = "scripts", description = "script sets folder (default ./${DEFAULT-VALUE})")
  Path scripts;

  @Override
  public Integer call() throws IOException {
    int groupCount = groups < 0 ? accounts * 200 : groups;
    Fleet fleet;
    try {
      fleet = Fleet.of(accounts, groupCount);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    ChromiumPaths chromium = ChromiumPaths.debianDefaults();
    if (chromium.missing() != null) {
      System.err.println(chromium.missing());
      return 2;
    }
    wipe(data);
    System.out.printf("demo: %d accounts, %d groups, %d devices%n", accounts, groupCount, accounts);

    Vertx vertx = Processes.await(LoopbackCluster.start("wecom-rpa-demo-" + UUID.randomUUID(), 5801), Duration.ofSeconds(60));
    Simulator sim = new Simulator(vertx, SimulatorOptions.defaults().withPort(0), Clock.systemUTC());
    Processes.await(sim.start(), Duration.ofSeconds(30));
    fleet.seed(sim.world());

    String token = UUID.randomUUID().toString();
    Controller controller = new Controller(ControllerOptions.defaults(data, token).withPort(0), Clock.systemUTC());
    Processes.await(vertx.deployVerticle(controller), Duration.ofSeconds(60));
    String controllerUrl = "http://127.0.0.1:" + controller.port();
    ControllerClient api = new ControllerClient(vertx, controllerUrl);
    for (String a : fleet.accounts()) {
      Processes.await(api.createAccount(a, "wecom", "Bot " + a, "Asia/Shanghai"), Duration.ofSeconds(30));
    }
    JsonArray batch = new JsonArray();
    for (Fleet.GroupSeed g : fleet.groups()) {
      batch.add(new JsonObject().put("id", g.id()).put("name", g.name()).put("accountId", g.accountId()).put("tags", new JsonArray().add("demo")));
    }
    if (!batch.isEmpty()) {
      Processes.await(api.createGroups(batch), Duration.ofSeconds(60));
    }

    List<DeviceProfile> devices = new ArrayList<>();
    for (int i = 0; i < fleet.accounts().size(); i++) {
      devices.add(new DeviceProfile("dev-" + (i + 1), fleet.accounts().get(i), "selenium", "wecom-sim", "sim-1", sim.baseUrl()));
    }
    Path work = data.resolve("agent");
    Agent agent =
        new Agent(vertx, new AgentOptions("agent-1", "ws://127.0.0.1:" + controller.port() + "/agent", token, devices, scripts, work),
            d -> SeleniumDriver.start(chromium, work.resolve(d.id())), Clock.systemUTC());
    Processes.await(agent.start(), Duration.ofMinutes(2));
    System.out.printf("simulator: %s/login   controller: %s/api/v1%n", sim.baseUrl(), controllerUrl);

    int code = groupCount == 0 ? 0 : broadcastAndReport(api, sim, groupCount);
    if (exitWhenDone) {
      shutDown(agent, vertx);
      return code;
    }
    System.out.println("running until Ctrl-C");
    System.setProperty("wecom-rpa.keep-running", "true");
    Processes.runUntilStopped(() -> shutDown(agent, vertx));
    return code;
  }

  private int broadcastAndReport(ControllerClient api, Simulator sim, int groupCount) {
    long t0 = System.nanoTime();
    Processes.await(api.broadcastToTag("demo-broadcast", TEXT, "demo"), Duration.ofSeconds(60));
    JsonObject b;
    String lastLine = "";
    while (true) {
      sleep(1000);
      b = Processes.await(api.broadcast("demo-broadcast"), Duration.ofSeconds(30));
      JsonObject p = b.getJsonObject("progress");
      int open = p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("RUNNING");
      String line =
          String.format("progress: %d/%d done  sent=%d skipped=%d failed=%d in-flight=%d",
              groupCount - open, groupCount, p.getInteger("SUCCEEDED"), p.getInteger("SKIPPED"), failed(p), p.getInteger("LEASED") + p.getInteger("RUNNING"));
      if (!line.equals(lastLine)) {
        System.out.println(line);
        lastLine = line;
      }
      if (open == 0) {
        break;
      }
    }
    long wallSeconds = Math.round((System.nanoTime() - t0) / 1e9);
    JsonObject p = b.getJsonObject("progress");
    JsonObject times = b.getJsonObject("sendTimes");
    System.out.printf("send time on device: mean=%dms p95=%dms over %d sends%n", times.getLong("meanMillis"), times.getLong("p95Millis"), times.getInteger("count"));
    System.out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", p.getInteger("SUCCEEDED"), p.getInteger("SKIPPED"), failed(p), wallSeconds);

    // The truth is what the client received, not what the controller believes.
    Map<String, Integer> counts = sim.world().messageCounts();
    List<String> wrong = counts.entrySet().stream().filter(e -> e.getValue() != 1).map(e -> e.getKey() + "=" + e.getValue()).toList();
    if (!wrong.isEmpty()) {
      System.out.printf("simulator check FAILED: %d of %d groups hold other than exactly one message: %s%n",
          wrong.size(), counts.size(), wrong.subList(0, Math.min(20, wrong.size())));
      return 1;
    }
    System.out.printf("simulator check: all %d groups hold exactly one message%n", counts.size());
    return failed(p) == 0 ? 0 : 1;
  }

  private static void shutDown(Agent agent, Vertx vertx) {
    Processes.await(agent.stop(), Duration.ofMinutes(1));
    Processes.await(vertx.close(), Duration.ofMinutes(1));
  }

  private static int failed(JsonObject progress) {
    return progress.getInteger("FAILED") + progress.getInteger("UNKNOWN") + progress.getInteger("CANCELLED");
  }

  private static void wipe(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
