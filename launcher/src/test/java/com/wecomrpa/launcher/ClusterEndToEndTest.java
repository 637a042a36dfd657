package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.testing.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three controllers in their own JVMs sharing a real PostgreSQL, joined over Hazelcast on
 * loopback; two agents that know all three; the simulator as the judge. One cluster is started
 * once and the faults follow in order on it (each test leaves it running for the next): the sweep
 * leader SIGKILLed mid-broadcast while a customer SOP runs, a node frozen with SIGSTOP past its
 * lease and resumed, and the whole cluster stopped and started again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterEndToEndTest {
  private static final int GROUPS = 25;
  private static final int CUSTOMERS = 6;
  private final Fleet fleet = Fleet.of(4, GROUPS);
  private Path dir;
  private ClusterRig rig;

  @BeforeAll
  void startCluster() throws Exception {
    if (TestStack.CHROMIUM.missing() != null) {
      throw new IllegalStateException(TestStack.CHROMIUM.missing() + " (.ci/run installs it)");
    }
    dir = Files.createTempDirectory("cluster-e2e");
    rig = new ClusterRig(dir, Path.of("..", "scripts"), fleet, 3, 2, List.of());
    rig.start(null);
    JsonArray contacts = new JsonArray();
    for (int i = 1; i <= CUSTOMERS; i++) {
      contacts.add(new JsonObject().put("id", "cust-" + i).put("accountId", fleet.accounts().get(i % fleet.accounts().size())).put("nickname", "客户" + i));
    }
    rig.sim().seedContacts(contacts);
  }

  @AfterAll
  void stopCluster() {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  @Order(1)
  void theSweepLeaderKilledMidBroadcastAnotherTakesOverEveryGroupOnceEverySopStepOnce() {
    assertThat(rig.awaitSweepLeader(-1, Duration.ofSeconds(30))).as("the first node leads the sweeps").isZero();
    assertThat(rig.connectedNode(0)).isZero();
    // agent-2 starts at the second node; on a busy host whose second node answers its upgrade late it
    // goes on to the third. Either way its devices live on a node other than the first.
    assertThat(rig.connectedNode(1)).as("agent-2's node").isPositive();
    // Asked on the first node, the devices of both agents: agent-2's live on another.
    // A device registers with its agent's node a moment after the agent's welcome: wait for both agents' devices.
    JsonArray devices = Eventually.until("node 1 lists the devices of both agents", Duration.ofSeconds(30), () -> new JsonArray(rig.api().get("/devices")), d -> d.size() >= 4);
    assertThat(devices.stream().map(d -> ((JsonObject) d).getString("deviceId"))).containsExactlyInAnyOrder("dev-1", "dev-2", "dev-3", "dev-4");
    // An operator's action on one of agent-2's devices, asked of the first node, is done by the node agent-2 is on.
    String remote = devices.stream().map(d -> (JsonObject) d).filter(d -> d.getString("agentId").equals("agent-2")).findFirst().orElseThrow().getString("deviceId");
    assertThat(rig.api().post("/devices/" + remote + "/drain", new JsonObject().put("reason", "cable check")).getString("state")).isEqualTo("draining");
    assertThat(rig.api().post("/devices/" + remote + "/resume", new JsonObject()).getString("state")).isEqualTo("idle");
    rig.api().post("/plans", new JsonObject().put("id", "welcome").put("name", "Welcome").put("kind", "customer").put("window", "2h")
        .put("trigger", new JsonObject().put("event", "friend_added"))
        .put("steps", new JsonArray()
            .add(new JsonObject().put("offset", "+0m").put("content", new JsonObject().put("kind", "text").put("text", "{nickname}您好，欢迎～")))
            .add(new JsonObject().put("offset", "+1m").put("content", new JsonObject().put("kind", "text").put("text", "{nickname}，新人礼包已备好。")))));
    // The customers were added 30 s ago: the +1m step falls due 30 s from now, after the kill and
    // the takeover (the broadcast reaches half its groups in about 10 s here), without a minute's wait.
    Instant added = Instant.now().minusSeconds(30);
    JsonArray events = new JsonArray();
    for (int i = 1; i <= CUSTOMERS; i++) {
      events.add(new JsonObject().put("id", "added-cust-" + i).put("type", "friend_added").put("accountId", fleet.accounts().get(i % fleet.accounts().size()))
          .put("customerId", "cust-" + i).put("nickname", "客户" + i).put("at", added.toString()));
    }
    rig.api().post("/events", new JsonObject().put("events", events));

    ByteArrayOutputStream said = new ByteArrayOutputStream();
    ClusterScenario.Result r = new ClusterScenario(rig, fleet, new PrintStream(said, true, StandardCharsets.UTF_8)).broadcast(true);
    String text = said.toString(StandardCharsets.UTF_8);
    System.out.print(text);

    assertThat(text).contains("controller-1 (it led the sweeps) SIGKILLed").containsPattern("controller-[23] took over the sweeps");
    assertThat(r.duplicates()).as("groups with a second message").isZero();
    assertThat(r.lost()).as("groups with no message").isZero();
    assertThat(r.open()).as("jobs not in a final state").isZero();
    assertThat(r.sent()).isEqualTo(GROUPS);
    assertThat(text).contains("simulator check: all " + GROUPS + " groups hold exactly one message");
    assertThat(rig.connectedNode(0)).as("agent-1 moved off the killed node").isPositive();

    // Every customer gets both steps once.
    Eventually.settle(Duration.ofMinutes(3), () -> allCustomersHold(2), Boolean.TRUE::equals);
    // A third message, if one were coming, would come from a job of the plan still open.
    awaitNoneOpen("/jobs?planId=welcome");
    for (int i = 1; i <= CUSTOMERS; i++) {
      assertThat(rig.sim().contactMessages("cust-" + i)).as("messages to cust-" + i).isEqualTo(2);
    }
  }

  @Test
  @Order(2)
  void aNodeFrozenPastItsLeaseAndResumedActsOnNoStaleAuthority() {
    int frozen = rig.connectedNode(0);
    assertThat(frozen).as("agent-1 is connected").isNotNegative();
    rig.api().post("/broadcasts", new JsonObject().put("id", "frozen").put("content", new JsonObject().put("kind", "text").put("text", "第二轮通知"))
        .put("target", new JsonObject().put("tag", "b0")));
    rig.agent(0).await("job=broadcast:frozen:\\S+ lease=\\d+ device=\\S+ starting", Duration.ofSeconds(60));

    ChildProcess node = rig.controller(frozen);
    var welcomed = rig.agent(0).next("connected to controller as agent-1; \\d+ reports to re-send");
    long frozeAt = System.nanoTime();
    node.freeze();
    // The agent leaves a controller silent for 4 s (docs/cluster.md): welcomed by another node within 10 s.
    rig.agent(0).await(welcomed, Duration.ofSeconds(30), "agent-1 welcomed by another node");
    Duration moved = Duration.ofNanos(System.nanoTime() - frozeAt);
    System.out.println("agent-1 welcomed by another node " + moved.toMillis() + " ms after its controller froze");
    assertThat(rig.connectedNode(0)).as("agent-1 left the frozen node").isNotEqualTo(frozen);
    assertThat(moved).as("from freeze to the agent's next welcome").isLessThan(Duration.ofSeconds(10));
    // Past the frozen node's sweep term: another node leads.
    int leader = rig.awaitSweepLeader(frozen, Duration.ofSeconds(60));
    assertThat(leader).isNotEqualTo(frozen);
    long termDuringFreeze = rig.api().ready(leader).getJsonObject("cluster").getLong("sweepTerm");
    int seenBeforeResume = node.lines().size();
    node.resume();
    // Its overdue timers fire the moment it thaws; by the time it has rejoined, a stale sweep would have shown.
    Eventually.until("the resumed node rejoined", Duration.ofSeconds(60), () -> rig.api().ready(frozen), r -> r != null && Boolean.TRUE.equals(r.getBoolean("ready")));

    // Woken up, the node may win the lead again, but only as a new term after the one another node
    // held meanwhile; it sweeps nothing before that.
    List<String> afterResume = node.lines().subList(seenBeforeResume, node.lines().size());
    java.util.regex.Pattern leads = java.util.regex.Pattern.compile("sweeps: this node leads \\(term (\\d+)\\)");
    int firstLead = afterResume.size();
    for (int i = 0; i < afterResume.size() && firstLead == afterResume.size(); i++) {
      var m = leads.matcher(afterResume.get(i));
      if (m.find()) {
        assertThat(Long.parseLong(m.group(1))).as("the term the resumed node took").isGreaterThan(termDuringFreeze);
        firstLead = i;
      }
    }
    assertThat(afterResume.subList(0, firstLead)).as("the resumed node swept before it held a new term").noneMatch(l -> l.contains("expired on device"));
    JsonObject ready = rig.api().ready(frozen);
    assertThat(ready).as("the resumed node answers").isNotNull();
    assertThat(ready.getBoolean("ready")).as("the resumed node rejoined").isTrue();

    JsonObject p = awaitFinal("frozen", GROUPS / 5);
    assertThat(p.getInteger("SUCCEEDED")).isEqualTo(GROUPS / 5);
    Map<String, Object> counts = rig.sim().messageCounts();
    for (int i = 0; i < fleet.groups().size(); i += 5) {
      assertThat(((Number) counts.get(fleet.groups().get(i).id())).intValue()).as(fleet.groups().get(i).id() + " (batch b0: two broadcasts)").isEqualTo(2);
    }
  }

  @Test
  @Order(3)
  void theWholeClusterStoppedAndStartedStillCountsTodaysQuota() {
    // Batch t1: GROUPS / 25 groups with one post each so far (from the first broadcast).
    int batch = GROUPS / 25;
    for (String id : List.of("fill-1", "fill-2")) {
      rig.api().post("/broadcasts", new JsonObject().put("id", id).put("content", new JsonObject().put("kind", "text").put("text", "今日通知 " + id))
          .put("target", new JsonObject().put("tag", "t1")));
    }
    awaitFinal("fill-1", batch);
    awaitFinal("fill-2", batch);

    rig.stopControllers();
    rig.startControllers(0, 1, 2);
    rig.api().post("/broadcasts", new JsonObject().put("id", "over").put("content", new JsonObject().put("kind", "text").put("text", "第四条"))
        .put("target", new JsonObject().put("tag", "t1")));
    JsonObject p = awaitFinal("over", batch);

    assertThat(p.getInteger("SKIPPED")).as("posts past 3 per group per day, counted before the restart").isEqualTo(batch);
    assertThat(p.getInteger("SUCCEEDED")).isZero();
    Map<String, Object> counts = rig.sim().messageCounts();
    for (int i = 1; i < fleet.groups().size(); i += 25) {
      assertThat(((Number) counts.get(fleet.groups().get(i).id())).intValue()).as(fleet.groups().get(i).id() + " (batch t1: the cap)").isEqualTo(3);
    }
  }

  @Test
  @Order(4)
  void theDatabaseRestartedThenCrashedMidBroadcastOnThreeNodesIdlesNoDeviceLongerThanItWasAway() {
    blip("blip-3", List.of(0, 1, 2));
  }

  @Test
  @Order(5)
  void theSameOnOneNode() {
    rig.controller(1).stop();
    rig.controller(2).stop();
    Eventually.waitUntil("both agents on the one node left", Duration.ofSeconds(60), () -> rig.connectedNode(0) == 0 && rig.connectedNode(1) == 0);
    blip("blip-1", List.of(0));
  }

  /**
   * A broadcast to the groups with one post so far (batches b2-b4), each send slowed so it spans
   * both faults: the private PostgreSQL restarted fast (as pg_ctl -m fast restart) once two groups
   * are done, then stopped at once (-m immediate) and started again five seconds later once five
   * are. Every node says not ready within 2 s of the stop and ready within 2 s of the start; every
   * group gets exactly one more message; no device waits between two of its jobs more than the
   * database was away and the nodes took to be ready again, plus the pool's reconnect wait (at most
   * 5 s) and 5 s.
   */
  private void blip(String id, List<Integer> nodes) {
    List<String> groups = new java.util.ArrayList<>();
    for (int i = 0; i < fleet.groups().size(); i++) {
      if (i % 5 >= 2) {
        groups.add(fleet.groups().get(i).id());
      }
    }
    Map<String, Object> before = rig.sim().messageCounts();
    fleet.accounts().forEach(a -> rig.sim().sendDelay(a, 2_500));
    try {
      rig.api().post("/broadcasts", new JsonObject().put("id", id).put("content", new JsonObject().put("kind", "text").put("text", "门店通知 " + id))
          .put("target", new JsonObject().put("groupIds", new JsonArray(groups))));
      Eventually.waitUntil("two groups done", Duration.ofMinutes(2), () -> done(id) >= 2);
      long restartAt = System.nanoTime();
      Instant restartedAt = Instant.now();
      rig.postgres().restartFast();
      Duration restart = Duration.ofNanos(System.nanoTime() - restartAt);
      Eventually.waitUntil("five groups done", Duration.ofMinutes(2), () -> done(id) >= 5);
      long downAt = System.nanoTime();
      Instant crashedAt = Instant.now();
      rig.postgres().crash();
      Duration noticed = awaitReady(nodes, false, Instant.now());
      // The outage itself: the database stays away this long, whatever the nodes do meanwhile.
      TestStack.sleep(Math.max(0, 5_000 - Duration.ofNanos(System.nanoTime() - downAt).toMillis()));
      rig.postgres().startAgain();
      long upAt = System.nanoTime();
      Duration back = awaitReady(nodes, true, Instant.now());
      Duration away = Duration.ofNanos(upAt - downAt);
      JsonObject p = awaitFinal(id, groups.size());
      assertThat(p.getInteger("SUCCEEDED")).as("every group sent").isEqualTo(groups.size());
      Map<String, Object> after = rig.sim().messageCounts();
      for (String g : groups) {
        assertThat(((Number) after.get(g)).intValue()).as(g + ": exactly one more message").isEqualTo(((Number) before.get(g)).intValue() + 1);
      }
      Map<String, Duration> idle = longestIdle(id, Instant.MIN, Instant.MAX);
      System.out.printf("%s on %d node(s): fast restart took %d ms (longest idle across it per device %s); down %d ms (across it %s);"
              + " not ready after %d ms, ready %d ms after the start%n",
          id, nodes.size(), restart.toMillis(), longestIdle(id, restartedAt, crashedAt), away.toMillis(), longestIdle(id, crashedAt, Instant.MAX),
          noticed.toMillis(), back.toMillis());
      assertThat(noticed).as("every node not ready after the stop").isLessThanOrEqualTo(Duration.ofSeconds(2));
      assertThat(back).as("every node ready after the start").isLessThanOrEqualTo(Duration.ofSeconds(2));
      // Away, then the nodes' own time to say ready again (measured by a probe on its own connection,
      // slower on a busy host), then the connection pool's own reconnect wait (HikariCP 6.3 doubles
      // it up to a fixed 5 s while the database is away: the pool may be asleep in it when the
      // database returns), then at most 5 s of reconnecting and offering: never a backoff that
      // outgrows the outage, as a lease ended the moment the database was back once did (20 s).
      Duration allowed = away.plus(back).plusSeconds(5).plusSeconds(5);
      idle.forEach((device, d) -> assertThat(d).as(device + "'s longest wait between jobs, the database away " + away.toMillis() + " ms, ready again "
          + back.toMillis() + " ms after").isLessThanOrEqualTo(allowed));
    } finally {
      fleet.accounts().forEach(a -> rig.sim().sendDelay(a, 0));
    }
  }

  private int done(String broadcast) {
    JsonObject p = rig.api().progress(broadcast);
    return p == null ? 0 : p.getInteger("SUCCEEDED", 0);
  }

  /**
   * How long after {@code since} the slowest of these nodes turned {@code ready}, by each node's own
   * record of the change ({@code changedAt}), so the test's polling of three nodes on a busy host is
   * not counted as the nodes' slowness.
   */
  private Duration awaitReady(List<Integer> nodes, boolean ready, Instant since) {
    Eventually.waitUntil("nodes " + nodes + " ready=" + ready, Duration.ofSeconds(30), () -> nodes.stream().allMatch(i -> {
      JsonObject r = rig.api().ready(i);
      return r != null && r.getBoolean("ready") == ready;
    }));
    Duration slowest = Duration.ZERO;
    for (int i : nodes) {
      Duration d = Duration.between(since, Instant.parse(rig.api().ready(i).getString("changedAt")));
      slowest = d.compareTo(slowest) > 0 ? d : slowest;
    }
    return slowest;
  }

  /**
   * Per device, the longest time between the end of one of this broadcast's jobs and the start of
   * its next, counting only waits that end after {@code from} and begin before {@code to}.
   */
  private Map<String, Duration> longestIdle(String broadcast, Instant from, Instant to) {
    Map<String, List<Instant[]>> byDevice = new java.util.TreeMap<>();
    for (Object o : new JsonArray(rig.api().get("/jobs?broadcastId=" + broadcast))) {
      String job = ((JsonObject) o).getString("id");
      for (Object e : new JsonArray(rig.api().get("/jobs/" + java.net.URLEncoder.encode(job, StandardCharsets.UTF_8) + "/executions"))) {
        JsonObject x = (JsonObject) e;
        if (x.getString("startedAt") != null && x.getString("finishedAt") != null) {
          byDevice.computeIfAbsent(x.getString("deviceId"), d -> new java.util.ArrayList<>())
              .add(new Instant[] {Instant.parse(x.getString("startedAt")), Instant.parse(x.getString("finishedAt"))});
        }
      }
    }
    Map<String, Duration> out = new java.util.TreeMap<>();
    byDevice.forEach((device, runs) -> {
      runs.sort(java.util.Comparator.comparing(r -> r[0]));
      Duration longest = Duration.ZERO;
      for (int i = 1; i < runs.size(); i++) {
        if (runs.get(i)[0].isAfter(from) && runs.get(i - 1)[1].isBefore(to)) {
          Duration gap = Duration.between(runs.get(i - 1)[1], runs.get(i)[0]);
          longest = gap.compareTo(longest) > 0 ? gap : longest;
        }
      }
      out.put(device, longest);
    });
    return out;
  }

  /** Waits until no job of this list (a path with a filter) is queued, leased, running or unknown. */
  private void awaitNoneOpen(String jobs) {
    Eventually.waitUntil("no job in " + jobs + " is queued, leased, running or unknown", Duration.ofMinutes(2),
        () -> List.of("QUEUED", "LEASED", "RUNNING", "UNKNOWN").stream().allMatch(state -> {
          String list = rig.api().get(jobs + "&state=" + state);
          return list != null && new JsonArray(list).isEmpty();
        }));
  }

  private boolean allCustomersHold(int n) {
    for (int i = 1; i <= CUSTOMERS; i++) {
      if (rig.sim().contactMessages("cust-" + i) < n) {
        return false;
      }
    }
    return true;
  }

  private JsonObject awaitFinal(String broadcast, int jobs) {
    return Eventually.until("broadcast " + broadcast + " has " + jobs + " jobs final", Duration.ofMinutes(4), () -> rig.api().progress(broadcast),
        p -> p != null && ClusterScenario.done(p) >= jobs);
  }

}
