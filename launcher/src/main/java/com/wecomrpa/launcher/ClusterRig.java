package com.wecomrpa.launcher;

import com.wecomrpa.controller.store.LocalPostgres;
import com.wecomrpa.loopback.FreePort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * A cluster of controllers on one machine, each part in its own JVM: a PostgreSQL they share (a
 * private server on loopback unless one is given), the simulator, N controllers joined over
 * Hazelcast on loopback, and agents that know every controller. Parts can be killed (SIGKILL),
 * frozen (SIGSTOP) and restarted one by one; the simulator's record says what really reached the
 * groups. Used by {@code demo --cluster} and the cluster tests.
 */
final class ClusterRig implements AutoCloseable {
  static final Duration PART_START = Duration.ofMinutes(2);

  private final Path data;
  private final Path scripts;
  private final Fleet fleet;
  private final int agentCount;
  private final List<String> extraControllerArgs;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();
  private final String agentToken = "cluster-" + java.util.UUID.randomUUID();
  private final SimulatorControl simulator = new SimulatorControl(FreePort.pick());
  private final int[] httpPorts;
  private final int[] clusterPorts;
  private final ChildProcess[] controllers;
  private final ChildProcess[] agents;
  private LocalPostgres postgres;
  private String dbUrl;
  private ChildProcess sim;
  private final ClusterApi api;

  ClusterRig(Path data, Path scripts, Fleet fleet, int nodes, int agentCount, List<String> extraControllerArgs) {
    this.data = data;
    this.scripts = scripts;
    this.fleet = fleet;
    this.agentCount = agentCount;
    this.extraControllerArgs = extraControllerArgs;
    this.httpPorts = IntStream.range(0, nodes).map(i -> FreePort.pick()).toArray();
    this.clusterPorts = IntStream.range(0, nodes).map(i -> FreePort.pick()).toArray();
    this.controllers = new ChildProcess[nodes];
    this.api = new ClusterApi(httpPorts, i -> controllers[i] != null && controllers[i].alive());
    this.agents = new ChildProcess[agentCount];
  }

  /** The private PostgreSQL the nodes share (null when the rig was given one). */
  LocalPostgres postgres() {
    return postgres;
  }

  int nodes() {
    return controllers.length;
  }

  /** Starts the database (given, or a private PostgreSQL), the simulator, every controller and agent; seeds the fleet. */
  void start(String givenDb) throws IOException {
    Files.createDirectories(data);
    if (givenDb != null) {
      dbUrl = givenDb;
    } else {
      postgres = LocalPostgres.startTemporary("wecom-rpa-pg-");
      LocalPostgres pg = postgres;
      Teardown.track("private PostgreSQL", pg::discard, pg::stopNow);
      dbUrl = postgres.database("wecom");
    }
    sim = ChildProcess.start("simulator", data.resolve("simulator.log"), List.of(),
        List.of("simulator", "--risk", "lab", "--port", String.valueOf(simulator.port()), "--accounts", String.valueOf(fleet.accounts().size()), "--groups", String.valueOf(fleet.groups().size())));
    // The first node creates the schema and the first admin token; the others join it. The
    // simulator starts meanwhile: neither needs the other yet.
    controllers[0] = launchController(0);
    sim.first("simulator: http", PART_START);
    controllers[0].first("controller: http", PART_START);
    api.token(controllers[0].first("first admin token \\(shown once, keep it\\): (\\S+)", PART_START).group(1));
    startControllers(IntStream.range(1, nodes()).toArray());
    for (String a : fleet.accounts()) {
      api.post("/accounts", new JsonObject().put("id", a).put("platform", "wecom").put("displayName", "Bot " + a).put("timeZone", DemoStack.ZONE));
    }
    JsonArray batch = new JsonArray();
    for (Fleet.GroupSeed g : fleet.groups()) {
      // "demo" is every group; b0..b4 deal them into five batches, t0..t24 into 25 smaller ones.
      batch.add(new JsonObject().put("id", g.id()).put("name", g.name()).put("accountId", g.accountId())
          .put("tags", new JsonArray().add("demo").add("b" + (batch.size() % 5)).add("t" + (batch.size() % 25))));
    }
    api.post("/groups/batch", new JsonObject().put("groups", batch));
    for (int j = 0; j < agentCount; j++) {
      agents[j] = launchAgent(j);
    }
    for (ChildProcess a : agents) {
      a.first("agent \\S+ ready with", PART_START);
    }
  }

  /** Starts these controllers together and waits until each serves. */
  void startControllers(int... which) {
    for (int i : which) {
      controllers[i] = launchController(i);
    }
    for (int i : which) {
      controllers[i].first("controller: http", PART_START);
    }
  }

  void startController(int i) {
    startControllers(i);
  }

  private ChildProcess launchController(int i) {
    List<String> members = new ArrayList<>();
    for (int p : clusterPorts) {
      members.add("127.0.0.1:" + p);
    }
    List<String> args = new ArrayList<>(List.of("controller", "--limits", "fast", "--port", String.valueOf(httpPorts[i]), "--data", data.resolve("controller-" + (i + 1)).toString(),
        "--agent-token", agentToken, "--lease-seconds", "10", "--cluster", "--cluster-port", String.valueOf(clusterPorts[i]),
        "--members", String.join(",", members), "--db", dbUrl));
    args.addAll(extraControllerArgs);
    return ChildProcess.start("controller-" + (i + 1), data.resolve("controller-" + (i + 1) + ".log"), List.of("-Dwecom-rpa.job-log=INFO"), args,
        Map.of("WECOM_RPA_DB_USER", LocalPostgres.USER));
  }

  private ChildProcess launchAgent(int j) {
    // An agent starts at the URL its id hashes to; the list is turned so that agent j starts at
    // node j (agent-1 at the first node, which leads the sweeps), then goes on in order.
    int n = nodes();
    int start = Math.floorMod(("agent-" + (j + 1)).hashCode(), n);
    List<String> urls = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      urls.add("ws://127.0.0.1:" + httpPorts[Math.floorMod(j - start + k, n)] + "/agent");
    }
    List<String> args = new ArrayList<>(List.of("agent", "--controller", String.join(",", urls), "--token", agentToken,
        "--agent-id", "agent-" + (j + 1), "--scripts", scripts.toString(), "--work", data.resolve("agent-" + (j + 1)).toString()));
    // Accounts dealt round-robin over the agents, one device each.
    for (int i = j; i < fleet.accounts().size(); i += agentCount) {
      args.add("--device");
      args.add("id=dev-" + (i + 1) + ",account=" + fleet.accounts().get(i) + ",url=http://127.0.0.1:" + simulator.port());
    }
    return ChildProcess.start("agent-" + (j + 1), data.resolve("agent-" + (j + 1) + ".log"), List.of("-Dwecom-rpa.job-log=INFO"), args);
  }

  void startAgent(int j) {
    agents[j] = launchAgent(j);
    agents[j].first("agent \\S+ ready with", PART_START);
  }

  ChildProcess controller(int i) {
    return controllers[i];
  }

  ChildProcess agent(int j) {
    return agents[j];
  }

  /** The node whose {@code /ready} says it leads the sweeps, or -1. */
  int sweepLeader() {
    return sweepLeader(-1);
  }

  /** The node other than {@code not} whose {@code /ready} says it leads the sweeps, or -1. */
  private int sweepLeader(int not) {
    for (int i = 0; i < nodes(); i++) {
      JsonObject r = i == not ? null : api.ready(i);
      if (r != null && r.getJsonObject("cluster").getBoolean("sweepsLed")) {
        return i;
      }
    }
    return -1;
  }

  /** Waits until some node other than {@code not} leads the sweeps; returns it. */
  int awaitSweepLeader(int not, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      int leader = sweepLeader(not);
      if (leader >= 0) {
        return leader;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no node took over the sweeps within " + within);
      }
      BroadcastScenario.sleep(200);
    }
  }

  /** Nodes alive but not ready (their /ready says why), for a stalled demo's report. */
  java.util.List<String> notReady() {
    java.util.List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes(); i++) {
      if (controllers[i] != null && controllers[i].alive()) {
        JsonObject r = api.ready(i);
        if (r == null) {
          out.add("controller-" + (i + 1) + " does not answer /ready");
        } else if (!Boolean.TRUE.equals(r.getBoolean("ready"))) {
          out.add("controller-" + (i + 1) + " not ready: " + r.encode());
        }
      }
    }
    return out;
  }

  /** Which node (by its port) this agent last connected to, from its log; -1 if none yet. */
  int connectedNode(int agent) {
    java.util.regex.Pattern p = java.util.regex.Pattern.compile("connected to controller as \\S+; \\d+ reports to re-send \\(ws://127.0.0.1:(\\d+)/agent\\)");
    int node = -1;
    for (String line : agents[agent].lines()) {
      var m = p.matcher(line);
      if (m.find()) {
        int port = Integer.parseInt(m.group(1));
        for (int i = 0; i < nodes(); i++) {
          node = httpPorts[i] == port ? i : node;
        }
      }
    }
    return node;
  }

  /** The cluster's REST API, asked of the first node that answers. */
  ClusterApi api() {
    return api;
  }

  /** The simulator's control API and its own record. */
  SimulatorControl sim() {
    return simulator;
  }

  String dbUrl() {
    return dbUrl;
  }

  /** Stops every controller (SIGTERM) and waits. */
  void stopControllers() {
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    for (ChildProcess c : controllers) {
      if (c != null) {
        stopping.add(CompletableFuture.runAsync(c::stop));
      }
    }
    stopping.forEach(CompletableFuture::join);
  }

  @Override
  public void close() {
    List<ChildProcess> all = new ArrayList<>();
    for (ChildProcess a : agents) {
      all.add(a);
    }
    for (ChildProcess c : controllers) {
      all.add(c);
    }
    all.add(sim);
    // All at once: each stops within seconds by itself, and none waits on another.
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    for (ChildProcess p : all) {
      if (p != null) {
        try {
          p.resume(); // a frozen part would never stop
        } catch (RuntimeException ignored) {
          // already gone
        }
        stopping.add(CompletableFuture.runAsync(p::stop));
      }
    }
    stopping.forEach(CompletableFuture::join);
    if (postgres != null) {
      postgres.discard();
    }
  }
}
