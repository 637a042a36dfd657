package com.wecomrpa.launcher;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.agent.AgentOptions;
import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.DeviceDrivers;
import com.wecomrpa.agent.driver.appium.AppiumServer;
import com.wecomrpa.controller.Controller;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.controller.cluster.LoopbackCluster;
import com.wecomrpa.controller.limits.LimitProfile;
import com.wecomrpa.simulator.RiskModel;
import com.wecomrpa.simulator.Simulator;
import com.wecomrpa.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The demo's parts in one process: a clustered Vert.x (one Hazelcast member on loopback), the
 * simulator, the controller and one agent with a headless Chromium per account, all reading one
 * business clock. Accounts and groups are created through the real APIs.
 */
public final class DemoStack implements AutoCloseable {
  static final String ZONE = "Asia/Shanghai";

  public final Vertx vertx;
  public final Simulator sim;
  public final ControllerClient api;
  final String controllerUrl;
  public final Fleet fleet;
  private final Agent agent;
  private final AppiumServer appium;
  private final List<AutoCloseable> tracked = new ArrayList<>();

  public DemoStack(Path data, Path scripts, Fleet fleet, Clock clock, ChromiumPaths chromium, String driver) {
    this(data, scripts, fleet, clock, chromium, driver, LimitProfile.FAST);
  }

  /**
   * {@code limits} FAST also gives the simulator its lenient lab platform: back-to-back sends are
   * the point of a fast run, and the reported platform would rightly warn them.
   */
  public DemoStack(Path data, Path scripts, Fleet fleet, Clock clock, ChromiumPaths chromium, String driver, LimitProfile limits) {
    this(data, scripts, fleet, clock, chromium, driver, limits, false);
  }

  /**
   * With {@code tls}, the controller serves https and wss with a certificate made at start for
   * 127.0.0.1, the demo's client and agent trust only that certificate, and the agent signs in
   * with its own agent token (bound to its id and devices) read from a 0600 file.
   */
  public DemoStack(Path data, Path scripts, Fleet fleet, Clock clock, ChromiumPaths chromium, String driver, LimitProfile limits, boolean tls) {
    this.fleet = fleet;
    this.vertx = Processes.await(LoopbackCluster.start("wecom-rpa-demo-" + UUID.randomUUID(), 5801), Duration.ofSeconds(60));
    // A stop at any moment closes what is up so far, newest first (the browsers go with the rest).
    tracked.add(Teardown.track("demo's controller and simulator", () -> Processes.await(vertx.close(), Duration.ofSeconds(5)), null));
    this.sim = new Simulator(vertx, SimulatorOptions.defaults().withPort(0).withRiskModel(limits == LimitProfile.FAST ? RiskModel.lab() : RiskModel.defaults()), clock);
    Processes.await(sim.start(), Duration.ofSeconds(30));
    fleet.seed(sim.world());

    String token = UUID.randomUUID().toString();
    String adminToken = "demo-admin-" + UUID.randomUUID();
    Certificates.Pair cert = tls ? Certificates.selfSigned(data.resolve("tls"), "controller", "ip:127.0.0.1") : null;
    // The simulator is also the platform's admin API a handover goes through.
    ControllerOptions options = ControllerOptions.defaults(data, token).withLimitProfile(limits).withPort(0).withAdminToken(adminToken)
        .withPlatformApi(new ControllerOptions.PlatformApi(sim.baseUrl(), null, null));
    Controller controller = new Controller(tls ? options.withTls(new ControllerOptions.Tls(cert.cert(), cert.key())) : options, clock);
    Processes.await(vertx.deployVerticle(controller), Duration.ofSeconds(60));
    this.controllerUrl = (tls ? "https" : "http") + "://127.0.0.1:" + controller.port();
    this.api = new ControllerClient(vertx, controllerUrl, adminToken, tls ? cert.cert() : null);
    for (String a : fleet.accounts()) {
      Processes.await(api.createAccount(a, "wecom", "Bot " + a, ZONE), Duration.ofSeconds(30));
    }
    JsonArray batch = new JsonArray();
    for (Fleet.GroupSeed g : fleet.groups()) {
      batch.add(new JsonObject().put("id", g.id()).put("name", g.name()).put("accountId", g.accountId())
          .put("tags", new JsonArray().add("demo").add("store:" + g.id().substring(2))));
    }
    if (!batch.isEmpty()) {
      Processes.await(api.createGroups(batch), Duration.ofSeconds(60));
    }

    List<DeviceProfile> devices = new ArrayList<>();
    for (int i = 0; i < fleet.accounts().size(); i++) {
      devices.add(new DeviceProfile("dev-" + (i + 1), fleet.accounts().get(i), driver, "wecom-sim", "sim-1", sim.baseUrl()));
    }
    Path work = data.resolve("agent");
    this.appium = driver.equals("appium") ? AppiumServer.start(Path.of(".tools"), 4723, data.resolve("appium.log")) : null;
    if (appium != null) {
      tracked.add(Teardown.track("appium server", appium, null));
      System.out.println("appium server: " + appium.url() + " (log in " + data.resolve("appium.log") + ")");
    }
    AgentOptions agentOptions = new AgentOptions("agent-1", "ws://127.0.0.1:" + controller.port() + "/agent", token, devices, scripts, work);
    if (tls) {
      Path tokenFile = agentTokenFile(data, devices);
      agentOptions = new AgentOptions("agent-1", "wss://127.0.0.1:" + controller.port() + "/agent", null, devices, scripts, work, tokenFile, cert.cert());
      System.out.println("tls: https and wss with a certificate made for 127.0.0.1 (" + cert.cert() + "); agent-1 signs in with its own token from " + tokenFile);
    }
    this.agent =
        new Agent(vertx, agentOptions,
            new DeviceDrivers(chromium, work, appium == null ? null : appium.url()), Clock.systemUTC());
    tracked.add(Teardown.track("demo's agent", () -> Processes.await(agent.stop(), Duration.ofSeconds(5)), null));
    Processes.await(agent.start(), Duration.ofMinutes(2));
    System.out.printf("simulator: %s/login   controller: %s/api/v1%n", sim.baseUrl(), controllerUrl);
    System.out.println("console (one-time login link, valid 24 h): " + loginLink(api, controllerUrl));
  }

  /** An agent token issued through the API for agent-1 and its devices, written to a file only its owner reads. */
  private Path agentTokenFile(Path data, List<DeviceProfile> devices) {
    JsonObject body = new JsonObject().put("name", "agent-1").put("role", "agent").put("agentId", "agent-1")
        .put("devices", new JsonArray(devices.stream().map(DeviceProfile::id).toList()));
    var r = Processes.await(api.postRaw("/tokens", body), Duration.ofSeconds(30));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("POST /tokens answered " + r.statusCode());
    }
    try {
      Path file = data.resolve("agent-1.token");
      java.nio.file.Files.deleteIfExists(file);
      java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      java.nio.file.Files.writeString(file, r.bodyAsJsonObject().getString("token") + "\n");
      return file;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A one-time admin login link for the console; the code is in the fragment, never sent to a server log. */
  static String loginLink(ControllerClient api, String controllerUrl) {
    var r = Processes.await(api.postRaw("/login-links", new JsonObject().put("role", "admin").put("minutes", 24 * 60)), Duration.ofSeconds(30));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("POST /login-links answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return controllerUrl + r.bodyAsJsonObject().getString("path");
  }

  /** Where the stack's agent spent its flows' time, step by step. */
  public com.wecomrpa.agent.flow.StepTimes stepTimes() {
    return agent.stepTimes();
  }

  public JsonObject get(String path) {
    var r = Processes.await(api.get(path), Duration.ofSeconds(30));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  /** GET of an API path answering an object or an array. */
  Object getAny(String path) {
    var r = Processes.await(api.get(path), Duration.ofSeconds(30));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + r.statusCode());
    }
    return r.bodyAsString().startsWith("[") ? r.bodyAsJsonArray() : r.bodyAsJsonObject();
  }

  JsonArray getArray(String path) {
    var r = Processes.await(api.get(path), Duration.ofSeconds(30));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonArray();
  }

  JsonObject post(String path, JsonObject body) {
    var r = Processes.await(api.postRaw(path, body), Duration.ofSeconds(30));
    if (r.statusCode() >= 300) {
      throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  JsonObject put(String path, JsonObject body) {
    var r = Processes.await(api.putRaw(path, body), Duration.ofSeconds(30));
    if (r.statusCode() >= 300) {
      throw new IllegalStateException("PUT " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  @Override
  public void close() {
    tracked.forEach(Teardown::untrack);
    Processes.await(agent.stop(), Duration.ofMinutes(1));
    if (appium != null) {
      appium.close();
    }
    Processes.await(vertx.close(), Duration.ofMinutes(1));
  }
}
