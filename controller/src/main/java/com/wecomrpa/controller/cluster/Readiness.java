package com.wecomrpa.controller.cluster;

import com.wecomrpa.controller.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node should take agents and work: the database answers, the schema is migrated (it
 * is, once the store opened) and, when clustered, it is still a member. Checked every second on a
 * worker; a node that is not ready refuses new agents, drops the ones it has (they move to another
 * node) and dispatches nothing, rather than guessing.
 */
public final class Readiness {
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Database db;
  private final ClusterView view;
  private final SweepLead lead;
  private final Runnable onLost;
  private volatile boolean database = true;
  private volatile boolean joined = true;
  private boolean checking;
  private long timer = -1;

  /** {@code onLost} runs on the event loop when the node stops being ready. */
  public Readiness(Vertx vertx, WorkerExecutor workers, Database db, ClusterView view, SweepLead lead, Runnable onLost) {
    this.vertx = vertx;
    this.workers = workers;
    this.db = db;
    this.view = view;
    this.lead = lead;
    this.onLost = onLost;
  }

  public void start() {
    timer = vertx.setPeriodic(1000, t -> check());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  public boolean ready() {
    return database && joined;
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    boolean was = ready();
    workers
        .executeBlocking(() -> db.reachable(2), false)
        .onComplete(ar -> {
          checking = false;
          database = ar.succeeded() && ar.result();
          joined = view.joined();
          if (was && !ready()) {
            LOG.error("node not ready ({}): taking no agents and no work until it is", reason());
            onLost.run();
          } else if (!was && ready()) {
            LOG.info("node ready again: taking agents and work");
          }
        });
  }

  private String reason() {
    return !database ? "database unreachable" : "left the cluster";
  }

  /** The body of {@code /ready}. */
  public JsonObject describe() {
    return new JsonObject()
        .put("ready", ready())
        .put("database", database ? "reachable" : "unreachable")
        .put("engine", db.dialect().name().toLowerCase())
        .put("migrations", "done")
        .put("cluster", new JsonObject()
            .put("clustered", view.clustered())
            .put("joined", view.joined())
            .put("members", view.members())
            .put("sweepsLed", lead.holds())
            .put("sweepTerm", lead.term()));
  }
}
