package com.wecomrpa.launcher;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.agent.AgentOptions;
import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.DeviceDrivers;
import com.wecomrpa.agent.driver.appium.AppiumServer;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.controller.Controller;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.controller.cluster.LoopbackCluster;
import com.wecomrpa.loopback.FreePort;
import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.simulator.Simulator;
import com.wecomrpa.simulator.SimulatorOptions;
import com.wecomrpa.testing.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * The whole product on loopback for a test: simulator and controller sharing one business clock,
 * and agents driving real headless Chromium. The controller keeps its port across restarts so
 * agents reconnect to it as they would in production.
 */
final class TestStack implements AutoCloseable {
  static final String TOKEN = "test-agent-token-" + UUID.randomUUID();
  static final String ADMIN_TOKEN = "test-admin-token-" + UUID.randomUUID();
  static final ChromiumPaths CHROMIUM = ChromiumPaths.debianDefaults();

  final Vertx vertx;
  final Simulator sim;
  final ControllerClient api;
  final Path dir;
  private final ControllerOptions options;
  private final Clock clock;
  private final List<Agent> agents = new ArrayList<>();
  private Controller controller;
  private String deployment;
  private AppiumServer appium;

  private TestStack(Vertx vertx, Path dir, Clock clock, ControllerOptions options) {
    this.vertx = vertx;
    this.dir = dir;
    this.clock = clock;
    this.sim = new Simulator(vertx, SimulatorOptions.defaults().withPort(0).withRiskModel(com.wecomrpa.simulator.RiskModel.lab()), clock);
    await(sim.start());
    // The simulator is also the platform's admin API (handovers), as a farm's WeCom corp would be.
    this.options = options.platformApi() != null ? options : options.withPlatformApi(new ControllerOptions.PlatformApi(sim.baseUrl(), null, null));
    deployController();
    this.api = new ControllerClient(vertx, options.scheme() + "://127.0.0.1:" + options.port(), ADMIN_TOKEN, options.tls() == null ? null : options.tls().cert());
  }

  static TestStack start(Path dir, Clock clock, boolean clustered, UnaryOperator<ControllerOptions> tweak) {
    if (CHROMIUM.missing() != null) {
      throw new IllegalStateException(CHROMIUM.missing() + " (.ci/run installs it)");
    }
    Vertx vertx = clustered ? await(LoopbackCluster.start("test-" + UUID.randomUUID(), 5901)) : com.wecomrpa.controller.telemetry.Telemetry.vertx();
    // A clock that stands still until the test moves it would hold the fast profile's pace (in
    // business time) forever: such tests run unpaced. They send a handful of messages per account at
    // one instant, far under the 100 at which the lab platform judging that instant would warn.
    var profile = clock instanceof com.wecomrpa.time.ManualClock ? com.wecomrpa.controller.limits.LimitProfile.UNPACED : com.wecomrpa.controller.limits.LimitProfile.FAST;
    ControllerOptions o = tweak.apply(ControllerOptions.defaults(dir.resolve("controller"), TOKEN).withLimitProfile(profile).withAdminToken(ADMIN_TOKEN).withPort(FreePort.pick()).withLeases(Duration.ofSeconds(3), Duration.ofMillis(500)));
    return new TestStack(vertx, dir, clock, o);
  }

  private void deployController() {
    controller = new Controller(options, clock);
    deployment = await(vertx.deployVerticle(controller));
  }

  /** Stops the controller (its database closes) and starts a new one on the same data and port. */
  void restartController() {
    stopController();
    deployController();
  }

  void stopController() {
    await(vertx.undeploy(deployment));
  }

  void startController() {
    deployController();
  }

  /** Account acc-1 with groups g-1..g-N of these names, in the simulator and in the controller. */
  void oneAccountWithGroups(String... names) {
    sim.world().addAccounts(List.of(new ChatWorld.Account("acc-1", "Bot")));
    JsonArray groups = new JsonArray();
    for (int i = 0; i < names.length; i++) {
      sim.world().addGroups(List.of(new ChatWorld.Group("g-" + (i + 1), "acc-1", names[i])));
      groups.add(new JsonObject().put("id", "g-" + (i + 1)).put("name", names[i]).put("accountId", "acc-1"));
    }
    await(api.createAccount("acc-1", "wecom", "Bot", "Asia/Shanghai"));
    await(api.createGroups(groups));
  }

  String controllerWs() {
    return (options.tls() == null ? "ws" : "wss") + "://127.0.0.1:" + options.port() + "/agent";
  }

  DeviceProfile device(String id, String account) {
    return device(id, account, "selenium");
  }

  DeviceProfile device(String id, String account, String driver) {
    return new DeviceProfile(id, account, driver, "wecom-sim", "sim-1", sim.baseUrl());
  }

  /** A local Appium server from the project's .tools/ (bin/install-appium), started once. */
  java.net.URL appium() {
    if (appium == null) {
      appium = AppiumServer.start(Path.of("..", ".tools"), FreePort.pick(), dir.resolve("appium.log"));
    }
    return appium.url();
  }

  /** An agent as an operator would start one: its token from a file, the controller verified against {@code caFile}. */
  Agent agent(String agentId, String url, Path tokenFile, Path caFile, List<DeviceProfile> devices) {
    Path work = dir.resolve(agentId);
    Agent agent = new Agent(vertx, new AgentOptions(agentId, url, null, devices, Path.of("..", "scripts"), work, tokenFile, caFile),
        new DeviceDrivers(CHROMIUM, work, null), Clock.systemUTC());
    agents.add(agent);
    return agent;
  }

  int port() {
    return options.port();
  }

  /** Waits until the controller has swept leases {@code n} more times (each sweep also kicks a dispatch pass) from now. */
  void awaitSweeps(int n) {
    long sweeps = controller.leaseSweepRuns() + n;
    long passes = controller.dispatchPasses() + n;
    waitUntil(n + " more lease sweeps and dispatch passes", Duration.ofSeconds(30),
        () -> controller.leaseSweepRuns() >= sweeps && controller.dispatchPasses() >= passes);
  }

  /** Late-reply checks the controller has finished. */
  long lateReplyRuns() {
    return controller.lateReplyRuns();
  }

  /**
   * Waits until {@code n} listens of {@code account} asked after now have finished: whatever the
   * device could hear by now has been heard and stored.
   */
  void awaitListens(String account, int n) {
    java.util.Set<String> before = finishedListens(account);
    waitUntil(n + " more listens of " + account, Duration.ofSeconds(60), () -> {
      java.util.Set<String> now = finishedListens(account);
      now.removeAll(before);
      return now.size() >= n;
    });
  }

  private java.util.Set<String> finishedListens(String account) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Object o : getObject("/accounts/" + account + "/listening").getJsonArray("recentListens")) {
      JsonObject l = (JsonObject) o;
      if (l.getString("finishedAt") != null) {
        ids.add(l.getString("id"));
      }
    }
    return ids;
  }

  /** Dispatch passes the controller has finished. */
  long dispatchPasses() {
    return controller.dispatchPasses();
  }

  /** Asks the controller for a dispatch pass now. */
  void dispatchNow() {
    controller.dispatchNow();
  }

  Agent startAgent(String agentId, String token, List<DeviceProfile> devices) {
    Path work = dir.resolve(agentId);
    java.net.URL appiumUrl = devices.stream().anyMatch(d -> d.driver().equals("appium")) ? appium() : null;
    Agent agent =
        new Agent(vertx, new AgentOptions(agentId, controllerWs(), token, devices, Path.of("..", "scripts"), work),
            new DeviceDrivers(CHROMIUM, work, appiumUrl), Clock.systemUTC());
    agents.add(agent);
    await(agent.start());
    return agent;
  }

  void forget(Agent agent) {
    agents.remove(agent);
  }

  JsonObject getObject(String path) {
    return await(api.get(path)).bodyAsJsonObject();
  }

  JsonArray getArray(String path) {
    return await(api.get(path)).bodyAsJsonArray();
  }

  JsonObject post(String path, JsonObject body) {
    var r = await(api.postRaw(path, body));
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  JsonObject put(String path, JsonObject body) {
    var r = await(api.putRaw(path, body));
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  /**
   * Waits until the controller has looked for work twice since now (plan expansion and lease sweep,
   * each followed by a dispatch pass) and nothing is leased or running: anything due by now has been
   * offered and finished, so a send that should not happen would have happened.
   */
  void awaitSettled() {
    long expansions = controller.expansionRuns() + 2;
    long sweeps = controller.leaseSweepRuns() + 2;
    waitUntil("two plan expansions and lease sweeps", Duration.ofSeconds(30),
        () -> controller.expansionRuns() >= expansions && controller.leaseSweepRuns() >= sweeps);
    waitUntil("no job leased or running", Duration.ofSeconds(60),
        () -> getArray("/jobs?state=LEASED").isEmpty() && getArray("/jobs?state=RUNNING").isEmpty());
  }

  /** Whether a broadcast (as GET /broadcasts/{id} answers) has nothing queued, leased or running. */
  static boolean settled(JsonObject broadcast) {
    JsonObject p = broadcast.getJsonObject("progress");
    return p != null && p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("RUNNING") == 0;
  }

  /** Waits until {@code done} holds, failing with {@code what} after the timeout. */
  static void waitUntil(String what, Duration timeout, BooleanSupplier done) {
    Eventually.waitUntil(what, timeout, done);
  }

  /** Whether a process has ended, or is a zombie nobody has reaped yet (it runs nothing). */
  static boolean dead(ProcessHandle p) {
    if (!p.isAlive()) {
      return true;
    }
    try {
      String stat = java.nio.file.Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true; // gone meanwhile
    }
  }

  static <T> T await(Future<T> f) {
    return Processes.await(f, Duration.ofMinutes(2));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    for (Agent a : agents) {
      await(a.stop());
    }
    if (appium != null) {
      appium.close();
    }
    await(vertx.close());
  }
}
