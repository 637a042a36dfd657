package com.wecomrpa.launcher;

import com.wecomrpa.loopback.FreePort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rehearsal ops run before trusting a set-up: controller, simulator and agent each in its own
 * JVM, one broadcast, and SIGKILL at the moments that hurt (right after an offer, mid-send, right
 * after a report, controller and agent together, between a lease and its report), each part
 * restarted on its own data. The simulator's record, not the controller, says whether every group
 * got exactly one message.
 */
final class CrashScenario {
  static final String BROADCAST = "crash-rehearsal";
  private static final Duration PART_START = Duration.ofMinutes(2);
  private static final Duration MOMENT = Duration.ofSeconds(90);
  private static final Duration FINISH = Duration.ofMinutes(6);
  private static final String STARTING = "job=(\\S+) lease=(\\d+) device=(\\S+) starting";

  /** What the simulator saw, and what the controller ended with. */
  record Result(int groups, int sent, int skipped, int failed, int duplicates, int lost, int open, int kills, long reportsResent, long wallSeconds) {
    boolean clean() {
      return duplicates == 0 && lost == 0 && failed == 0 && open == 0;
    }
  }

  private final Path data;
  private final Path scripts;
  private final Fleet fleet;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String agentToken = "rehearsal-" + java.util.UUID.randomUUID();
  private final SimulatorControl simulator = new SimulatorControl(FreePort.pick());
  private final int ctlPort = FreePort.pick();
  private ChildProcess sim;
  private ChildProcess controller;
  private ChildProcess agent;
  private String adminToken;
  private int kills;

  CrashScenario(Path data, Path scripts, Fleet fleet, PrintStream out) {
    this.data = data;
    this.scripts = scripts;
    this.fleet = fleet;
    this.out = out;
  }

  static int run(Path data, Path scripts, Fleet fleet) {
    Result r = new CrashScenario(data, scripts, fleet, System.out).rehearse();
    return r.clean() ? 0 : 1;
  }

  Result rehearse() {
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(data);
      startParts();
      post("/broadcasts", new JsonObject().put("id", BROADCAST)
          .put("content", new JsonObject().put("kind", "text").put("text", BroadcastScenario.TEXT)).put("target", new JsonObject().put("tag", "demo")));
      int total = fleet.groups().size();

      atProgress(total / 10, "controller killed right after an offer; restarted once the agent holds reports", () -> {
        Matcher started = agent.await(STARTING, MOMENT);
        CompletableFuture<Matcher> ended = agent.next("job=" + Pattern.quote(started.group(1)) + " lease=\\d+ device=\\S+ (SUCCEEDED|FAILED|UNKNOWN)");
        controller.kill();
        say("controller SIGKILLed right after job=" + started.group(1) + " lease=" + started.group(2) + " was offered");
        agent.await(ended, MOMENT, "the job to end on the device");
        CompletableFuture<Matcher> resent = agent.next("connected to controller as \\S+; [1-9]\\d* reports to re-send");
        startController();
        agent.await(resent, PART_START, "the agent to re-send the reports it kept");
        say("the agent reconnected and re-sent the reports it kept while the controller was down");
      });
      atProgress(total / 4, "agent killed mid-send (the simulator holds each send 2 s)", () -> {
        fleet.accounts().forEach(a -> simulator.sendDelay(a, 2000));
        Matcher started = agent.await(STARTING + " send_group_text", MOMENT);
        sleep(1200);
        agent.kill();
        say("agent SIGKILLed 1.2 s into job=" + started.group(1) + " lease=" + started.group(2));
        fleet.accounts().forEach(a -> simulator.sendDelay(a, 0));
        startAgent();
      });
      atProgress(total * 2 / 5, "controller killed right after a report", () -> {
        Matcher reported = controller.await("job=(\\S+) lease=(\\d+) device=\\S+ report SUCCEEDED -> SUCCEEDED", MOMENT);
        controller.kill();
        say("controller SIGKILLed right after the report of job=" + reported.group(1) + " was applied");
        startController();
      });
      atProgress(total * 11 / 20, "controller and agent killed together", () -> {
        agent.await(STARTING, MOMENT);
        sleep(300);
        controller.kill();
        agent.kill();
        say("controller and agent SIGKILLed together");
        startController();
        startAgent();
      });
      atProgress(total * 7 / 10, "controller killed between a lease and its report", () -> {
        Matcher started = agent.await(STARTING, MOMENT);
        controller.kill();
        say("controller SIGKILLed while job=" + started.group(1) + " lease=" + started.group(2) + " runs");
        startController();
      });

      JsonObject p = awaitFinal(total);
      long wall = Math.round((System.nanoTime() - t0) / 1e9);
      SimulatorVerdict v = SimulatorVerdict.of(fleet, simulator.messageCounts());
      int duplicates = v.duplicates();
      int lost = v.lost();
      int open = p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("RUNNING") + p.getInteger("UNKNOWN");
      Result r = new Result(total, p.getInteger("SUCCEEDED"), p.getInteger("SKIPPED"), BroadcastScenario.failed(p) - p.getInteger("UNKNOWN"),
          duplicates, lost, open, kills, agent.count("connected to controller as \\S+; [1-9]\\d* reports to re-send"), wall);
      out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", r.sent(), r.skipped(), r.failed() + p.getInteger("UNKNOWN"), wall);
      out.printf("kills=%d (SIGKILL) duplicates=%d lost=%d%n", kills, duplicates, lost);
      v.print(out);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      // All at once: each stops within seconds by itself, and none waits on another.
      java.util.List<java.util.concurrent.CompletableFuture<Void>> stopping = new java.util.ArrayList<>();
      for (ChildProcess c : new ChildProcess[] {agent, controller, sim}) {
        if (c != null) {
          stopping.add(java.util.concurrent.CompletableFuture.runAsync(c::stop));
        }
      }
      stopping.forEach(java.util.concurrent.CompletableFuture::join);
      out.println("logs: " + data.toAbsolutePath() + "/{controller,agent,simulator}.log");
    }
  }

  private void startParts() {
    sim = ChildProcess.start("simulator", data.resolve("simulator.log"), List.of(),
        List.of("simulator", "--risk", "lab", "--port", String.valueOf(simulator.port()), "--accounts", String.valueOf(fleet.accounts().size()), "--groups", String.valueOf(fleet.groups().size())));
    launchController(); // beside the simulator: neither needs the other to start
    sim.first("simulator: http", PART_START);
    controller.first("controller: http", PART_START);
    adminToken = controller.first("first admin token \\(shown once, keep it\\): (\\S+)", PART_START).group(1);
    for (String a : fleet.accounts()) {
      post("/accounts", new JsonObject().put("id", a).put("platform", "wecom").put("displayName", "Bot " + a).put("timeZone", DemoStack.ZONE));
    }
    JsonArray batch = new JsonArray();
    for (Fleet.GroupSeed g : fleet.groups()) {
      batch.add(new JsonObject().put("id", g.id()).put("name", g.name()).put("accountId", g.accountId()).put("tags", new JsonArray().add("demo")));
    }
    post("/groups/batch", new JsonObject().put("groups", batch));
    startAgent();
    out.printf("crash rehearsal: simulator, controller and agent in their own JVMs (pids %d, %d, %d); %d accounts, %d groups%n",
        sim.pid(), controller.pid(), agent.pid(), fleet.accounts().size(), fleet.groups().size());
  }

  private void startController() {
    launchController();
    controller.first("controller: http", PART_START);
  }

  private void launchController() {
    controller = ChildProcess.start("controller", data.resolve("controller.log"), List.of("-Dwecom-rpa.job-log=INFO"),
        List.of("controller", "--limits", "fast", "--port", String.valueOf(ctlPort), "--data", data.resolve("controller").toString(), "--agent-token", agentToken,
            "--no-cluster", "--lease-seconds", "10"));
  }

  private void startAgent() {
    List<String> args = new ArrayList<>(List.of("agent", "--controller", "ws://127.0.0.1:" + ctlPort + "/agent", "--token", agentToken,
        "--agent-id", "agent-1", "--scripts", scripts.toString(), "--work", data.resolve("agent").toString()));
    for (int i = 0; i < fleet.accounts().size(); i++) {
      args.add("--device");
      args.add("id=dev-" + (i + 1) + ",account=" + fleet.accounts().get(i) + ",url=http://127.0.0.1:" + simulator.port());
    }
    agent = ChildProcess.start("agent", data.resolve("agent.log"), List.of("-Dwecom-rpa.job-log=INFO"), args);
    agent.first("agent \\S+ ready with", PART_START);
  }

  /** Waits until {@code done} jobs of the broadcast are final, then acts. */
  private void atProgress(int done, String what, Runnable crash) {
    long deadline = System.nanoTime() + FINISH.toNanos();
    while (true) {
      JsonObject p = progress();
      if (p != null && finished(p) >= done) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the broadcast did not reach " + done + " done jobs in " + FINISH);
      }
      sleep(200);
    }
    kills++;
    say("moment " + kills + ": " + what);
    crash.run();
  }

  private JsonObject awaitFinal(int total) {
    long deadline = System.nanoTime() + FINISH.toNanos();
    String last = "";
    while (true) {
      JsonObject p = progress();
      if (p != null) {
        int open = p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("RUNNING") + p.getInteger("UNKNOWN");
        String line = String.format("progress: %d/%d done  sent=%d unknown=%d in-flight=%d", total - open, total, p.getInteger("SUCCEEDED"),
            p.getInteger("UNKNOWN"), p.getInteger("LEASED") + p.getInteger("RUNNING"));
        if (!line.equals(last)) {
          out.println(line);
          last = line;
        }
        if (open == 0 || System.nanoTime() > deadline) {
          return p;
        }
      }
      sleep(1000);
    }
  }

  private static int finished(JsonObject p) {
    return p.getInteger("SUCCEEDED") + p.getInteger("FAILED") + p.getInteger("SKIPPED") + p.getInteger("CANCELLED");
  }

  private void say(String line) {
    out.println("crash rehearsal: " + line);
  }

  /** The broadcast's progress, or null while the controller is down. */
  private JsonObject progress() {
    try {
      HttpResponse<String> r = call(request("/broadcasts/" + BROADCAST).GET().build());
      return r.statusCode() == 200 ? new JsonObject(r.body()).getJsonObject("progress") : null;
    } catch (UncheckedIOException down) {
      return null;
    }
  }

  private void post(String path, JsonObject body) {
    HttpResponse<String> r = call(request(path).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ctlPort + "/api/v1" + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + adminToken);
  }

  /** One request to a part over loopback; a part that is down answers with an UncheckedIOException. */
  private HttpResponse<String> call(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private static void sleep(long ms) {
    BroadcastScenario.sleep(ms);
  }
}
