package com.wecomrpa.controller.cluster;

import com.wecomrpa.controller.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node should take agents and work: the database answers, the schema is migrated (it
 * is, once the store opened) and, when clustered, it is still a member. The database is asked
 * four times a second by a probe of its own (a one-second timeout, its own thread and connection, so a
 * busy pool cannot delay the answer): two failures in a row make the node not ready (one slow
 * answer does not), the first good answer makes it ready again. A node that is not ready refuses
 * new agents and dispatches and sweeps nothing. It keeps its agents through a database blip (every
 * node shares the database; they would find no better one) and drops them, so they move to another
 * node, when it leaves the cluster or the database stays away past {@link #DROP_AGENTS_AFTER_MS}.
 * Every {@link #SCHEMA_EVERY} probes it also asks whether another node has migrated the schema past
 * what this build knows (a newer release in a rolling upgrade): then it stops for good, drops its
 * agents to the upgraded nodes and says which release to upgrade to.
 */
public final class Readiness {
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
  static final long PROBE_EVERY_MS = 250;
  static final int FAILURES_TO_FALL = 2;
  static final long DROP_AGENTS_AFTER_MS = 15_000;
  static final int SCHEMA_EVERY = 8;

  private final Vertx vertx;
  private final WorkerExecutor probeThread;
  private final Database db;
  private final ClusterView view;
  private final SweepLead lead;
  private final Runnable onLost;
  private volatile boolean database = true;
  private volatile boolean joined = true;
  private volatile String schemaAhead;
  private int probes;
  private boolean checking;
  private int failures;
  private long downSince = -1;
  private boolean dropped;
  private long timer = -1;
  private final Clock clock;
  private volatile Instant changedAt;

  /** {@code onLost} runs on the event loop when the node gives its agents up. */
  public Readiness(Vertx vertx, Clock clock, Database db, ClusterView view, SweepLead lead, Runnable onLost) {
    this.vertx = vertx;
    this.clock = clock;
    this.probeThread = vertx.createSharedWorkerExecutor("wecom-rpa-readiness-" + System.identityHashCode(this), 1);
    this.db = db;
    this.view = view;
    this.lead = lead;
    this.onLost = onLost;
  }

  public void start() {
    timer = vertx.setPeriodic(PROBE_EVERY_MS, t -> check());
  }

  public void stop() {
    vertx.cancelTimer(timer);
    probeThread.close();
  }

  public boolean ready() {
    return database && joined && schemaAhead == null;
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    boolean was = ready();
    boolean askSchema = probes++ % SCHEMA_EVERY == 0 && schemaAhead == null;
    probeThread
        .executeBlocking(() -> {
          boolean answers = db.answers();
          if (answers && askSchema) {
            try {
              db.schemaAhead().ifPresent(why -> schemaAhead = why);
            } catch (RuntimeException unanswered) {
              // The database answered a moment ago: asked again at the next round, never taken for an outage.
            }
          }
          return answers;
        }, false)
        .onComplete(ar -> {
          checking = false;
          boolean answered = ar.succeeded() && ar.result();
          failures = answered ? 0 : failures + 1;
          long now = System.nanoTime();
          if (answered) {
            database = true;
            downSince = -1;
          } else if (failures >= FAILURES_TO_FALL) {
            database = false;
            downSince = downSince < 0 ? now : downSince;
          }
          boolean wasJoined = joined;
          joined = view.joined();
          if (was != ready()) {
            changedAt = clock.instant();
          }
          if (was && !ready()) {
            LOG.error("node not ready ({}): taking no new agents, offering and sweeping nothing until it is", reason());
          } else if (!was && ready()) {
            LOG.info("node ready again: taking agents and work");
            dropped = false;
          }
          boolean longDown = !database && downSince >= 0 && now - downSince > DROP_AGENTS_AFTER_MS * 1_000_000L;
          if (!dropped && ((wasJoined && !joined) || longDown || schemaAhead != null)) {
            dropped = true;
            LOG.error("node gives up its agents ({}): they move to another node", longDown ? "database away for " + DROP_AGENTS_AFTER_MS / 1000 + " s" : reason());
            onLost.run();
          }
        });
  }

  private String reason() {
    return schemaAhead != null ? schemaAhead : !database ? "database unreachable" : "left the cluster";
  }

  /** The body of {@code /ready}. */
  public JsonObject describe() {
    return new JsonObject()
        .put("ready", ready())
        .put("database", database ? "reachable" : "unreachable")
        .put("engine", db.dialect().name().toLowerCase())
        .put("migrations", schemaAhead == null ? "done" : schemaAhead)
        // When this node last turned ready or not ready, by its own clock: how fast it followed
        // the database, without the asker's polling in the figure.
        .put("changedAt", changedAt == null ? null : changedAt.toString())
        .put("cluster", new JsonObject()
            .put("clustered", view.clustered())
            .put("joined", view.joined())
            .put("members", view.members())
            .put("sweepsLed", lead.holds())
            .put("sweepTerm", lead.term()));
  }
}
