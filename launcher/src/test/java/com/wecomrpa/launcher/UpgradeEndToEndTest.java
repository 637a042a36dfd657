package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.DbCredentials;
import com.wecomrpa.controller.store.LocalPostgres;
import com.wecomrpa.protocol.Release;
import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade in place: the store the previous release (0.1.0-m1, schema version 23) wrote while
 * its demo broadcast was killed with SIGKILL (10 groups sent, 2 mid-send, 28 queued), kept as data
 * in src/test/resources/upgrade, is opened by this release on each engine. It migrates, keeps what
 * the old release recorded, finishes the broadcast exactly once per group the old release had not
 * sent, grants no fencing token the old release granted; and a node of this release refuses a
 * store a newer release has migrated, naming both releases.
 */
class UpgradeEndToEndTest {
  private static final String FIXTURE = "/upgrade/store-0.1.0-m1.json";
  @TempDir Path dir;
  private TestStack stack;
  private LocalPostgres pg;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
    if (pg != null) {
      pg.discard();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  void aStoreThePreviousReleaseLeftMidBroadcastIsMigratedAndFinishedOncePerGroup(String engine) throws Exception {
    JsonNode fixture = StoreFixture.read(FIXTURE);
    boolean postgres = engine.equals("postgres");
    String url;
    DbCredentials credentials;
    if (postgres) {
      pg = LocalPostgres.startTemporaryUnflushed("wecom-rpa-upgrade-");
      url = pg.database("upgrade");
      credentials = pg.credentials();
    } else {
      url = Database.embeddedUrl(dir.resolve("controller"));
      credentials = new DbCredentials("wecom", "");
    }
    // The previous release's schema, then its rows.
    Flyway.configure().dataSource(url, credentials.user(), credentials.password()).locations("classpath:db/migration")
        .target(String.valueOf(StoreFixture.schemaVersion(fixture))).load().migrate();
    try (Connection c = DriverManager.getConnection(url, credentials.user(), credentials.password())) {
      StoreFixture.load(c, fixture, postgres);
      // The operator's admin token, as the old release kept it (a SHA-256 of the secret): the
      // fixture's own token belongs to a demo whose secret was shown once and is gone.
      try (PreparedStatement s = c.prepareStatement("INSERT INTO api_tokens (id, name, role, token_hash, devices, created_at) VALUES ('tok-operator', 'operator', 'ADMIN', ?, NULL, ?)")) {
        s.setString(1, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(TestStack.ADMIN_TOKEN.getBytes(StandardCharsets.UTF_8))));
        s.setLong(2, System.currentTimeMillis());
        s.executeUpdate();
      }
      c.commit();
    }
    Set<String> sentByTheOldRelease = new HashSet<>();
    long oldestTokens = Long.MIN_VALUE;
    for (JsonNode t : fixture.get("tables")) {
      List<String> cols = new ArrayList<>();
      t.get("columns").forEach(n -> cols.add(n.asText()));
      for (JsonNode row : t.get("rows")) {
        if (t.get("name").asText().equals("jobs") && row.get(cols.indexOf("state")).asText().equals("SUCCEEDED")) {
          sentByTheOldRelease.add(row.get(cols.indexOf("group_id")).asText());
        }
        if (t.get("name").asText().equals("executions")) {
          oldestTokens = Math.max(oldestTokens, row.get(cols.indexOf("lease_token")).asLong());
        }
      }
    }
    assertThat(sentByTheOldRelease).as("groups the old release had sent").hasSize(10);

    UnaryOperator<ControllerOptions> onStore = o -> postgres ? o.withDb(url, credentials) : o;
    stack = TestStack.start(dir, Clock.systemUTC(), false, onStore);
    assertThat(stack.getArray("/accounts")).as("the operator's token opens the upgraded store").hasSize(2);
    Fleet fleet = Fleet.of(2, 40);
    fleet.seed(stack.sim.world());
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1"), stack.device("dev-2", "acc-2")));
    TestStack.waitUntil("the old release's broadcast finished", Duration.ofSeconds(180), () -> succeeded() == 40);

    for (Fleet.GroupSeed g : fleet.groups()) {
      List<ChatWorld.ChatMessage> got = stack.sim.world().messagesOf(g.id());
      assertThat(got).as("%s: %s", g.id(), sentByTheOldRelease.contains(g.id()) ? "sent by the old release, not again" : "exactly one message")
          .hasSize(sentByTheOldRelease.contains(g.id()) ? 0 : 1);
    }
    // What the old release recorded is still there and readable.
    assertThat(stack.getArray("/accounts").stream().map(a -> ((JsonObject) a).getString("id"))).contains("acc-1", "acc-2");
    String oldJob = "broadcast:demo-broadcast:" + sentByTheOldRelease.iterator().next();
    assertThat(stack.getArray("/jobs/" + URLEncoder.encode(oldJob, StandardCharsets.UTF_8) + "/executions").stream()
        .map(e -> ((JsonObject) e).getString("outcome"))).containsExactly("SUCCEEDED");
    long newest = oldestTokens;
    List<Long> granted = new ArrayList<>();
    for (Object o : stack.getArray("/jobs?broadcastId=demo-broadcast")) {
      String id = ((JsonObject) o).getString("id");
      for (Object e : stack.getArray("/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/executions")) {
        long token = ((JsonObject) e).getLong("leaseToken");
        if (((JsonObject) e).getString("agentId") != null && !sentByTheOldRelease.contains(id.substring(id.lastIndexOf(':') + 1))) {
          granted.add(token);
        }
      }
    }
    assertThat(granted).as("tokens granted after the upgrade").filteredOn(t -> t > newest).hasSizeGreaterThanOrEqualTo(30);
    assertThat(ready().getString("migrations")).isEqualTo("done");

    // A newer release migrates the shared store past this one: this node, running, stops acting
    // on it and gives its agents up; started again, it refuses the store.
    try (Connection c = DriverManager.getConnection(url, credentials.user(), credentials.password())) {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO store_releases (release, schema_version, first_started_at, last_started_at) VALUES (?, ?, ?, ?)")) {
        s.setString(1, "9.0.0 (commit feedfacecafe)");
        s.setInt(2, 999);
        s.setLong(3, System.currentTimeMillis());
        s.setLong(4, System.currentTimeMillis());
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)"
          + " VALUES ((SELECT max(installed_rank) + 1 FROM flyway_schema_history), '999', 'from a newer release', 'SQL', 'V999__from_a_newer_release.sql', 0, 'wecom', 1, TRUE)")) {
        s.executeUpdate();
      }
    }
    TestStack.waitUntil("the node turns not ready", Duration.ofSeconds(30), () -> !ready().getBoolean("ready"));
    assertThat(ready().getString("migrations")).contains("version 999").contains("wecom-rpa 9.0.0").contains(Release.current().version());
    TestStack.waitUntil("its agents are given up", Duration.ofSeconds(30), () -> stack.getArray("/devices").isEmpty());
    stack.stopController();
    assertThatThrownBy(stack::startController).hasStackTraceContaining("the store's schema is at version 999 (migrated by wecom-rpa 9.0.0")
        .hasStackTraceContaining("newer than this node knows");
  }

  /** The node's /ready answer (200 or 503). */
  private JsonObject ready() {
    try {
      var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + stack.port() + "/ready")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return new JsonObject(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private int succeeded() {
    JsonObject b = stack.getObject("/broadcasts/demo-broadcast");
    if (b == null || b.getJsonObject("progress") == null) {
      throw new AssertionError("the broadcast as the API shows it has no progress: " + b);
    }
    return b.getJsonObject("progress").getInteger("SUCCEEDED", 0);
  }
}
