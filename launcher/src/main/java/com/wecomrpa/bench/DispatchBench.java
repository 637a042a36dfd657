package com.wecomrpa.bench;

import com.wecomrpa.controller.Controller;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.controller.cluster.LoopbackCluster;
import com.wecomrpa.controller.store.LocalPostgres;
import com.wecomrpa.launcher.ControllerClient;
import com.wecomrpa.launcher.Processes;
import com.wecomrpa.loopback.FreePort;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane alone: a real controller (embedded store, REST, agent gateway) in this process,
 * and load agents in their own JVM that report every offer SUCCEEDED at once (so CPU and heap here
 * are the controller's). A burst of one broadcast to every group gives the
 * saturated rate; broadcasts paced at half that rate give latencies below saturation; a bare
 * Vert.x WebSocket echo of offer-sized messages over as many connections gives the transport's
 * limit in the same run.
 */
final class DispatchBench {
  private static final Duration WAIT = Duration.ofMinutes(2);
  /** Seconds the idle phase watches a connected farm with nothing due. */
  private static final int IDLE_SECONDS = 10;
  /** Unmeasured posts to every group before the burst, so the JIT compiler has done its work. */
  private static final int WARM_ROUNDS = 3;
  /** Seconds after the paced phase's last report before the idle phase is measured. */
  private static final int IDLE_SETTLE_SECONDS = 5;

  private DispatchBench() {}

  static String run(Path data, int accounts, int groupsPerAccount, int loadAgents, int pacedSeconds, boolean postgres, int nodes) throws Exception {
    String token = "bench-agent-" + UUID.randomUUID();
    String admin = "bench-admin-" + UUID.randomUUID();
    List<Vertx> ctls = new ArrayList<>();
    Vertx load = Vertx.vertx();
    LocalPostgres pg = null;
    try {
      ControllerOptions defaults = ControllerOptions.defaults(data, token);
      // Room in each group's day for the warm-up rounds, the burst's post and the paced phase's. The
      // cap is still checked and reserved on every claim, as at the default of three.
      ControllerOptions options = defaults.withCaps(defaults.maxGroupsPerAccount(), WARM_ROUNDS + 2)
          .withLimitProfile(com.wecomrpa.controller.limits.LimitProfile.UNPACED).withPort(0).withAdminToken(admin);
      String baseline = "";
      JdbcBaseline.Run measured = null;
      if (postgres) {
        pg = LocalPostgres.startTemporary("wecom-rpa-bench-pg-");
        com.wecomrpa.launcher.Teardown.track("private PostgreSQL", pg::discard, pg::stopNow);
        // The baseline first, on its own database of the same server.
        // Warmed up as the product is (a round not measured), so neither counts the JIT compiler's work.
        JdbcBaseline.run(pg.database("baseline"), pg.credentials(), accounts * groupsPerAccount, Math.min(accounts, 10));
        measured = JdbcBaseline.run(pg.database("baseline"), pg.credentials(), accounts * groupsPerAccount, Math.min(accounts, 10));
        baseline = String.format("baseline: plain JDBC, claim (FOR UPDATE SKIP LOCKED) + report, each its own committed transaction, %d threads: %.0f jobs/s;"
            + " CPU a job: PostgreSQL %.2f ms, its JDBC clients %.2f ms; host busy %.2f of %d cores%n", Math.min(accounts, 10), measured.jobsPerSecond(),
            measured.postgresCpuMsPerJob(), measured.clientCpuMsPerJob(), measured.hostBusyCores(), Runtime.getRuntime().availableProcessors());
        options = options.withDb(pg.database("bench"), pg.credentials()).withClustered(nodes > 1);
      }
      List<Controller> controllers = new ArrayList<>();
      List<String> members = new ArrayList<>();
      int[] hzPorts = new int[nodes];
      for (int i = 0; i < nodes; i++) {
        hzPorts[i] = FreePort.pick();
        members.add("127.0.0.1:" + hzPorts[i]);
      }
      String cluster = "bench-" + UUID.randomUUID();
      for (int i = 0; i < nodes; i++) {
        Vertx v = nodes > 1 ? Processes.await(LoopbackCluster.start(cluster, "127.0.0.1", hzPorts[i], members), WAIT) : Vertx.vertx();
        ctls.add(v);
        Controller c = new Controller(options.withClustered(nodes > 1), Clock.systemUTC());
        Processes.await(v.deployVerticle(c), WAIT);
        controllers.add(c);
      }
      Controller controller = controllers.get(0);
      System.out.print(baseline);
      ControllerClient api = new ControllerClient(load, "http://127.0.0.1:" + controller.port(), admin);
      List<String> groups = new ArrayList<>();
      for (int a = 1; a <= accounts; a++) {
        Processes.await(api.createAccount("acc-" + a, "wecom", "Bot " + a, "Asia/Shanghai"), WAIT);
        JsonArray batch = new JsonArray();
        for (int g = 1; g <= groupsPerAccount; g++) {
          String id = "g-" + a + "-" + g;
          groups.add(id);
          batch.add(new JsonObject().put("id", id).put("name", "群 " + a + "-" + g).put("accountId", "acc-" + a).put("tags", new JsonArray().add("all")));
        }
        Processes.await(api.createGroups(batch), WAIT);
      }
      Load agents = Load.start(String.join(",", controllers.stream().map(c -> String.valueOf(c.port())).toList()), token, accounts, loadAgents);
      // Round-robin over accounts, so a slice of the list (a paced tick) spreads over all devices.
      List<String> interleaved = new ArrayList<>();
      for (int g = 1; g <= groupsPerAccount; g++) {
        for (int a = 1; a <= accounts; a++) {
          interleaved.add("g-" + a + "-" + g);
        }
      }
      groups = interleaved;
      int total = groups.size();
      System.out.printf("dispatch: %d controller(s) on %s with %d accounts x %d groups, %d devices on %d load agents (%s)%n",
          nodes, postgres ? "PostgreSQL" : "the embedded store", accounts, groupsPerAccount, accounts, loadAgents, Gauges.machine());

      // Warm-up, not measured: WARM_ROUNDS posts to every group. After one round (10,000 jobs, about
      // ten seconds) JFR still showed C2 compiling through the burst (0.5 s of compiling a second,
      // a quarter of the two cores), so the burst measured compiling as much as dispatching.
      // All of an account's posts fall in one hour: its hourly budget is raised as an admin would
      // (the unpaced profile's is three posts to each of 200 groups).
      int unpacedPerHour = Integer.parseInt(com.wecomrpa.controller.limits.LimitName.POSTS_PER_ACCOUNT_PER_HOUR
          .fallback(com.wecomrpa.controller.limits.LimitProfile.UNPACED));
      int perHour = Math.max(unpacedPerHour, (WARM_ROUNDS + 2) * groupsPerAccount);
      HttpResponse<Buffer> set = Processes.await(api.putRaw("/limits/global", new JsonObject()
          .put("values", new JsonObject().put("postsPerAccountPerHour", String.valueOf(perHour))).put("reason", "bench: room for the warm-up rounds")), WAIT);
      if (set.statusCode() != 200) {
        throw new IllegalStateException("bench: raising postsPerAccountPerHour failed: " + set.statusCode() + " " + set.bodyAsString());
      }
      System.out.printf("warm-up: %d posts to every group, not measured (the bench's caps, for them: %d posts per group a day, %d per account an hour)%n",
          WARM_ROUNDS, WARM_ROUNDS + 2, perHour);
      for (int round = 1; round <= WARM_ROUNDS; round++) {
        long before = agents.count()[0];
        Processes.await(api.broadcastToTag("warm-" + round, "预热 " + round, "all"), WAIT);
        agents.awaitAcks(before + total);
      }

      // Saturation: every group at once.
      agents.clearAcks();
      long[] offersBefore = controllers.stream().mapToLong(Controller::offersMade).toArray();
      double pgBefore = postgres ? Gauges.postgresCpuSeconds() : 0;
      double loadBefore = agents.cpuSeconds();
      double hostBefore = Gauges.hostBusySeconds();
      Gauges burstGauges = Gauges.start();
      long acksBefore = agents.count()[0];
      long t0 = System.nanoTime();
      Processes.await(api.broadcastToTag("burst", "每日早报", "all"), WAIT);
      long enqueued = System.nanoTime();
      agents.awaitAcks(acksBefore + total);
      double burstSeconds = (agents.count()[1] - t0) / 1e9;
      double jobsPerSecond = total / burstSeconds;
      double burstCores = burstGauges.coresBusy();
      long burstHeap = burstGauges.peakHeapMib();
      burstGauges.stop();
      double pgCores = postgres ? (Gauges.postgresCpuSeconds() - pgBefore) / burstSeconds : 0;
      double loadCores = (agents.cpuSeconds() - loadBefore) / burstSeconds;
      double hostCores = (Gauges.hostBusySeconds() - hostBefore) / burstSeconds;
      StringBuilder perNode = new StringBuilder();
      for (int i = 0; i < nodes; i++) {
        perNode.append(i == 0 ? "" : ", ").append(String.format("node %d %.0f", i + 1, (controllers.get(i).offersMade() - offersBefore[i]) / burstSeconds));
      }
      double[] burstAck = agents.dump().ackMillis();
      System.out.printf("burst: %d jobs enqueued in %.2fs, all dispatched and reported in %.2fs: %.0f jobs/s; report->final p50=%.1fms p99=%.1fms;"
              + " CPU %.2f cores; peak heap %d MiB%n",
          total, (enqueued - t0) / 1e9, burstSeconds, jobsPerSecond, Gauges.quantile(burstAck, 0.5), Gauges.quantile(burstAck, 0.99), burstCores, burstHeap);
      // CPU per job moves less than jobs/s when the host is busier or quieter between runs.
      double cpuMsPerJob = burstCores * 1000 / jobsPerSecond;
      double pgCpuMsPerJob = pgCores * 1000 / jobsPerSecond;
      double loadCpuMsPerJob = loadCores * 1000 / jobsPerSecond;
      // Where the host's cores went: the load agents share them here, as PostgreSQL does.
      System.out.printf("burst per node (offers/s): %s; CPU per job: controllers %.2f ms%s, load agents %.2f ms; host busy %.2f of %d cores%s%n", perNode, cpuMsPerJob,
          postgres ? String.format(", PostgreSQL %.2f ms", pgCpuMsPerJob) : "", loadCpuMsPerJob, hostCores, Runtime.getRuntime().availableProcessors(),
          postgres ? String.format("; PostgreSQL itself: CPU %.2f cores", pgCores) : "");

      // Below saturation: small broadcasts every 100 ms at a quarter of the saturated rate.
      int perTick = Math.max(1, (int) (jobsPerSecond * 0.25 / 10));
      agents.clearAcks();
      List<Object[]> sent = new ArrayList<>();
      // Each tick's broadcast until the API answered (its jobs stored and on disk), apart from the dispatch after it.
      List<Double> accepted = new ArrayList<>();
      Gauges paced = Gauges.start();
      acksBefore = agents.count()[0];
      int next = 0;
      int ticks = pacedSeconds * 10;
      long start = System.nanoTime();
      for (int tick = 0; tick < ticks && next + perTick <= total; tick++) {
        long due = System.nanoTime();
        String id = "paced-" + tick;
        List<String> slice = groups.subList(next, next + perTick);
        next += perTick;
        Processes.await(api.broadcastToGroups(id, "限时优惠 " + tick, new JsonArray(new ArrayList<Object>(slice))), WAIT);
        accepted.add((System.nanoTime() - due) / 1e6);
        sent.add(new Object[] {id, due, slice});
        long sleep = start + (tick + 1) * 100_000_000L - System.nanoTime();
        if (sleep > 0) {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        }
      }
      agents.awaitAcks(acksBefore + next);
      double pacedRate = next / ((agents.count()[1] - start) / 1e9);
      Load.Dump dump = agents.dump();
      List<Double> offers = new ArrayList<>();
      for (Object[] s : sent) {
        @SuppressWarnings("unchecked")
        List<String> slice = (List<String>) s[2];
        for (String g : slice) {
          offers.add((dump.offered().get("broadcast:" + s[0] + ":" + g) - (Long) s[1]) / 1e6);
        }
      }
      double[] offer = offers.stream().mapToDouble(Double::doubleValue).toArray();
      double[] pacedAck = dump.ackMillis();
      double pacedCores = paced.coresBusy();
      double[] accept = accepted.stream().mapToDouble(Double::doubleValue).toArray();
      System.out.printf("paced: %d jobs at %.0f jobs/s (a quarter of the burst rate): due->offer p50=%.1fms p99=%.1fms (the API answered a tick's broadcast in p50=%.1fms p99=%.1fms);"
              + " report->final p50=%.1fms p99=%.1fms; CPU %.2f cores%n",
          next, pacedRate, Gauges.quantile(offer, 0.5), Gauges.quantile(offer, 0.99), Gauges.quantile(accept, 0.5), Gauges.quantile(accept, 0.99),
          Gauges.quantile(pacedAck, 0.5), Gauges.quantile(pacedAck, 0.99), pacedCores);
      paced.stop();

      // Idle: every device connected and free, nothing due, listening off. What is left is what the
      // farm's size costs by itself (dispatch heartbeats, agents' heartbeats, sweeps), load agents included.
      // It starts a few seconds after the paced phase's last report, so what that phase leaves behind
      // (its garbage, late compilation) is not counted as the idle farm's: measured from the last
      // report, three runs with 1,000 devices read 0.043, 0.165 and 0.085 cores.
      System.out.printf("idle: %ds for what the paced phase left behind to settle, then %ds measured%n", IDLE_SETTLE_SECONDS, IDLE_SECONDS);
      Thread.sleep(IDLE_SETTLE_SECONDS * 1000L);
      Gauges idle = Gauges.start();
      Thread.sleep(IDLE_SECONDS * 1000L);
      double idleCores = idle.coresBusy();
      idle.stop();
      agents.close();
      System.out.printf("idle: %d devices connected, nothing due, for %ds: CPU %.3f cores%n", accounts, IDLE_SECONDS, idleCores);

      // The transport's limit: echo of offer-sized messages, as many in flight as devices.
      String sample = WireCodec.encode(new ControllerJobOffer("broadcast:burst:g-1-1", 1, "dev-1", "acc-1", com.wecomrpa.protocol.ActionName.SEND_GROUP_TEXT,
          Map.of("group_id", "g-1-1", "group_name", "群 1-1", "text", "每日早报"), 1, Instant.now(), null, null));
      double echo = echoRoundTripsPerSecond(loadAgents, Math.max(1, accounts / loadAgents), sample, 10);
      System.out.printf("baseline: bare Vert.x WebSocket echo of %d-byte messages, %d connections x %d in flight: %.0f round trips/s%n",
          sample.length(), loadAgents, Math.max(1, accounts / loadAgents), echo);
      return String.format("bench dispatch: jobs_per_s=%.0f p50_due_offer_ms=%.1f p99_due_offer_ms=%.1f p50_report_final_ms=%.1f p99_report_final_ms=%.1f"
              + " cpu_cores=%.2f cpu_ms_per_job=%.2f paced_cpu_cores=%.2f idle_cpu_cores=%.3f peak_heap_mib=%d echo_per_s=%.0f ratio=%.3f"
              + " load_agents_cpu_ms_per_job=%.2f host_busy_cores=%.2f",
          jobsPerSecond, Gauges.quantile(offer, 0.5), Gauges.quantile(offer, 0.99), Gauges.quantile(pacedAck, 0.5), Gauges.quantile(pacedAck, 0.99),
          burstCores, cpuMsPerJob, pacedCores, idleCores, burstHeap, echo, jobsPerSecond / echo, loadCpuMsPerJob, hostCores)
          + (postgres ? String.format(" nodes=%d jdbc_baseline_jobs_per_s=%.0f ratio_to_jdbc=%.3f postgres_cpu_cores=%.2f postgres_cpu_ms_per_job=%.2f"
              + " jdbc_baseline_postgres_cpu_ms_per_job=%.2f jdbc_baseline_client_cpu_ms_per_job=%.2f jdbc_baseline_host_busy_cores=%.2f",
              nodes, measured.jobsPerSecond(), jobsPerSecond / measured.jobsPerSecond(), pgCores, pgCpuMsPerJob, measured.postgresCpuMsPerJob(),
              measured.clientCpuMsPerJob(), measured.hostBusyCores()) : "");
    } finally {
      Processes.await(load.close(), WAIT);
      for (Vertx v : ctls) {
        Processes.await(v.close(), WAIT);
      }
      if (pg != null) {
        pg.discard();
      }
    }
  }

  /** Round trips per second through a bare echo server: {@code connections} x {@code inFlight} messages circulating. */
  static double echoRoundTripsPerSecond(int connections, int inFlight, String message, int seconds) throws InterruptedException {
    Vertx server = Vertx.vertx();
    Vertx clients = Vertx.vertx();
    try {
      HttpServer http = Processes.await(server.createHttpServer()
          .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
          .listen(0, "127.0.0.1"), WAIT);
      AtomicLong trips = new AtomicLong();
      WebSocketClient client = clients.createWebSocketClient();
      List<WebSocket> sockets = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        WebSocket ws = Processes.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(http.actualPort()).setURI("/")), WAIT);
        ws.textMessageHandler(m -> {
          trips.incrementAndGet();
          ws.writeTextMessage(m);
        });
        sockets.add(ws);
      }
      for (WebSocket ws : sockets) {
        for (int i = 0; i < inFlight; i++) {
          ws.writeTextMessage(message);
        }
      }
      Thread.sleep(2000); // warm-up
      long before = trips.get();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      return (trips.get() - before) / ((System.nanoTime() - t0) / 1e9);
    } finally {
      Processes.await(clients.close(), WAIT);
      Processes.await(server.close(), WAIT);
    }
  }
}
