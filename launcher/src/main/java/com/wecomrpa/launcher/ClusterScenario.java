package com.wecomrpa.launcher;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code demo --cluster N}: one broadcast over N controller processes that share a PostgreSQL, two
 * agents that know them all, and with {@code --kill-one} the node leading the sweeps SIGKILLed when
 * half the groups are done. The simulator's record, not the controllers, says whether every group
 * got exactly one message.
 */
final class ClusterScenario {
  static final String BROADCAST = "cluster-demo";
  private static final Duration FINISH = Duration.ofMinutes(15);

  /** What the simulator saw, and what the controllers ended with. */
  record Result(int groups, int sent, int skipped, int failed, int duplicates, int lost, int open, long wallSeconds) {
    boolean clean() {
      return duplicates == 0 && lost == 0 && failed == 0 && open == 0 && skipped == 0;
    }
  }

  private final ClusterRig rig;
  private final Fleet fleet;
  private final PrintStream out;

  ClusterScenario(ClusterRig rig, Fleet fleet, PrintStream out) {
    this.rig = rig;
    this.fleet = fleet;
    this.out = out;
  }

  static int run(Path data, Path scripts, Fleet fleet, int nodes, boolean killOne, String db) {
    try (ClusterRig rig = new ClusterRig(data, scripts, fleet, nodes, 2, List.of())) {
      try {
        rig.start(db);
      } catch (IllegalStateException e) {
        System.out.println("cluster demo: " + e.getMessage());
        return 2;
      }
      System.out.printf("cluster demo: %d controllers sharing %s, 2 agents, simulator; logs in %s%n", nodes, rig.dbUrl(), data.toAbsolutePath());
      Result r = new ClusterScenario(rig, fleet, System.out).broadcast(killOne);
      return r.clean() ? 0 : 1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Result broadcast(boolean killOne) {
    long t0 = System.nanoTime();
    int total = fleet.groups().size();
    rig.api().post("/broadcasts", new JsonObject().put("id", BROADCAST)
        .put("content", new JsonObject().put("kind", "text").put("text", BroadcastScenario.TEXT)).put("target", new JsonObject().put("tag", "demo")));
    if (killOne) {
      awaitDone(total / 2);
      int leader = rig.sweepLeader();
      int victim = leader >= 0 ? leader : 0;
      rig.controller(victim).kill();
      out.printf("cluster demo: controller-%d (%s) SIGKILLed with %d of %d groups done%n", victim + 1,
          leader >= 0 ? "it led the sweeps" : "no node led the sweeps", done(rig.api().progress(BROADCAST)), total);
      if (leader >= 0) {
        int next = rig.awaitSweepLeader(victim, Duration.ofSeconds(30));
        out.printf("cluster demo: controller-%d took over the sweeps%n", next + 1);
      }
    }
    JsonObject p = awaitDone(total);
    Result r = judge(p, Math.round((System.nanoTime() - t0) / 1e9));
    out.printf("sent=%d skipped=%d failed=%d wall=%ds%n", r.sent(), r.skipped(), r.failed(), r.wallSeconds());
    return r;
  }

  /** The simulator's record against the fleet: exactly one message per group. */
  Result judge(JsonObject p, long wall) {
    SimulatorVerdict v = SimulatorVerdict.of(fleet, rig.sim().messageCounts());
    int open = p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("RUNNING") + p.getInteger("UNKNOWN");
    v.print(out);
    return new Result(v.groups(), p.getInteger("SUCCEEDED"), p.getInteger("SKIPPED"), BroadcastScenario.failed(p), v.duplicates(), v.lost(), open, wall);
  }

  /** Waits until {@code n} jobs of the broadcast are final (or the time is up), saying how far it got every 10 s. */
  JsonObject awaitDone(int n) {
    int total = fleet.groups().size();
    long deadline = System.nanoTime() + FINISH.toNanos();
    long nextLine = System.nanoTime() + 10_000_000_000L;
    Stall stall = new Stall(new StallReport(rig.api()::getAny, rig::notReady));
    while (true) {
      JsonObject p = rig.api().progress(BROADCAST);
      if (stall.giveUp(done(p))) {
        return p;
      }
      if (p != null) {
        if (System.nanoTime() > nextLine || done(p) >= total) {
          out.printf("progress: %d/%d done  sent=%d in-flight=%d%n", done(p), total, p.getInteger("SUCCEEDED"), p.getInteger("LEASED") + p.getInteger("RUNNING"));
          nextLine = System.nanoTime() + 10_000_000_000L;
        }
        if (done(p) >= n) {
          return p;
        }
      }
      if (System.nanoTime() > deadline) {
        if (p == null) {
          throw new IllegalStateException("no controller answered for the broadcast's progress");
        }
        return p;
      }
      BroadcastScenario.sleep(300);
    }
  }

  static int done(JsonObject p) {
    return p == null ? 0 : p.getInteger("SUCCEEDED") + p.getInteger("FAILED") + p.getInteger("SKIPPED") + p.getInteger("CANCELLED");
  }
}
