package com.wecomrpa.controller;

import com.wecomrpa.controller.access.JdbcTokenStore;
import com.wecomrpa.controller.rollout.JdbcScriptStore;
import com.wecomrpa.controller.rollout.ScriptRouting;
import com.wecomrpa.controller.metrics.ControllerMetrics;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.sop.ExpandPlansTask;
import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.replytime.FindLateRepliesTask;
import com.wecomrpa.controller.dispatch.ExpireLeasesTask;
import com.wecomrpa.controller.job.FencingTokens;
import com.wecomrpa.controller.stage.SweepStagesTask;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Dialect;
import com.wecomrpa.controller.cluster.ClusterView;
import com.wecomrpa.controller.cluster.Readiness;
import com.wecomrpa.controller.cluster.SweepLead;
import com.wecomrpa.controller.sweep.Schedule;
import com.wecomrpa.controller.ControllerWiring.Wired;
import com.wecomrpa.controller.access.FirstAdminToken;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import com.wecomrpa.controller.api.OverviewApi;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane in one verticle: REST API and agent gateway on one loopback port, dispatch and
 * lease expiry on its event loop, the database on a worker pool. Everything it opens, stop closes.
 */
public final class Controller extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
  /** Large enough for a report carrying a full-page screenshot. */
  private static final int MAX_WS_MESSAGE = 16 << 20;
  /** Worker threads for JDBC, and so connections in the pool. */
  private static final int WORKERS = 16;
  /** How long the sweep lead lasts unrenewed: another node takes over within this after a death. */
  private static final Duration SWEEP_TERM = Duration.ofSeconds(5);

  private final ControllerOptions options;
  private final Clock clock;
  private final Clock systemClock;
  private Database db;
  private FencingTokens fencing;
  private ScriptRouting routing;
  private WorkerExecutor workers;
  private HttpServer server;
  private ExpireLeasesTask expireLeases;
  private Dispatcher dispatcher;
  private ExpandPlansTask expandPlans;
  private Schedule schedule;
  private ClusterView view;
  private SweepLead lead;
  private Readiness readiness;
  private com.wecomrpa.controller.disk.DiskGuard disk;
  private OverviewApi overview;
  private Router apiRouter;
  private long dispatchTimer = -1;
  private long leadTimer = -1;
  private ControllerMetrics metrics;
  private boolean renewing;
  private FindLateRepliesTask lateReplies;
  private SweepStagesTask stageSweep;
  /** This start of this node, unique: the fencing epoch's and the sweep lead's holder name. */
  private final String node;

  public Controller(ControllerOptions options, Clock clock) {
    this(options, clock, Clock.systemUTC());
  }

  /**
   * {@code clock} is business time (schedules, windows, daily quotas) and may be simulated; {@code
   * systemClock} times leases and heartbeats, which must follow real time whatever the speed.
   */
  public Controller(ControllerOptions options, Clock clock, Clock systemClock) {
    this.options = options;
    this.clock = clock;
    this.systemClock = systemClock;
    this.node = options.host() + ":" + options.port() + " pid " + ProcessHandle.current().pid() + " " + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public Future<?> start() {
    workers = vertx.createSharedWorkerExecutor("controller-store", WORKERS);
    view = ClusterView.of(vertx);
    return workers
        .executeBlocking(
            () -> {
              // Every JDBC call runs on a worker: the pool has one connection per worker thread.
              Database opened = Database.open(options.dbUrl(), options.dbCredentials(), options.dataDir(), WORKERS);
              LOG.info("store: {}", options.dbUrl() == null ? "embedded H2 in " + options.dataDir() : Dialect.redacted(options.dbUrl()));
              // Before any lease: this start's fencing epoch, synced to disk.
              fencing = FencingTokens.takeEpoch(opened, node, systemClock.instant());
              LOG.info("controller epoch {}: fencing tokens from {}", fencing.epoch(), fencing.epoch() << 32);
              FirstAdminToken.ensure(new JdbcTokenStore(opened), options.adminToken(), options.adminTokenFile(), clock.instant());
              // The script routing is read here too: no JDBC on the event loop, start-up included.
              routing = new ScriptRouting();
              ControllerWiring.loadRouting(new JdbcScriptStore(opened, new AuditLog(opened)), routing);
              lead = new SweepLead(opened, node, SWEEP_TERM, view::oldest, options.dbUrl() == null);
              lead.renew();
              return opened;
            },
            false)
        .compose(
            database -> {
              db = database;
              Wired w = ControllerWiring.wire(vertx, workers, options, clock, systemClock, db, fencing, routing, view, lead, node);
              dispatcher = w.dispatcher();
              schedule = w.schedule();
              expandPlans = w.expandPlans();
              expireLeases = w.expireLeases();
              lateReplies = w.lateReplies();
              stageSweep = w.stageSweep();
              readiness = w.readiness();
              overview = w.overview();
              metrics = w.metrics();
              apiRouter = w.apiRouter();
              DeviceBoard board = w.board();
              Duration sweep = w.sweep();
              readiness.start();
              disk = w.disk();
              disk.start();
              overview.start();
              schedule.start();
              // Every node's dispatch heartbeat, for jobs that become due: frequent enough for a simulated day.
              dispatchTimer = vertx.setPeriodic(sweep.toMillis(), t -> {
                // A device whose agent never answered a listen is freed after the listen's budget.
                if (board.expireListens() > 0) {
                  LOG.warn("a listen went unanswered past its budget: device freed");
                }
                dispatcher.kick();
              });
              leadTimer = vertx.setPeriodic(SWEEP_TERM.toMillis() / 5, t -> renewLead());
              return vertx
                  .createHttpServer(options.httpServerOptions(MAX_WS_MESSAGE))
                  .requestHandler(w.root())
                  .listen(options.port(), options.host());
            })
        .onSuccess(
            s -> {
              server = s;
              LOG.info("controller listening on {}://{}:{}/api/v1 (data in {})", options.scheme(), options.host(), s.actualPort(), options.dataDir());
              if (options.tls() == null && !options.onLoopback()) {
                LOG.warn("WARNING: serving plain HTTP and ws:// on {}, not loopback: anyone on the path can read agent tokens and every message; start with --tls-cert and --tls-key (docs/security.md)", options.host());
              }
            });
  }

  /** Renews (or takes) the sweep lead on a worker; a node that just took it sweeps at once. */
  private void renewLead() {
    if (renewing) {
      return;
    }
    renewing = true;
    boolean had = lead.holds();
    workers.executeBlocking(lead::renew, false).onComplete(ar -> {
      renewing = false;
      if (ar.succeeded() && ar.result() && !had) {
        schedule.tookLead();
      }
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(dispatchTimer);
    vertx.cancelTimer(leadTimer);
    if (metrics != null) {
      metrics.close();
    }
    if (readiness != null) {
      readiness.stop();
    }
    if (disk != null) {
      disk.stop();
    }
    if (overview != null) {
      overview.stop();
    }
    // The database closes once no periodic run is in flight: a sweep or an expansion cut off
    // by the close would fail reading a closed store.
    Future<Void> tasksIdle = schedule == null ? Future.succeededFuture() : schedule.stop();
    Future<Void> serverClosed = server == null ? Future.succeededFuture() : server.close();
    Future<Void> closed = Future.join(serverClosed, tasksIdle).mapEmpty();
    return closed.compose(
        v ->
            workers.executeBlocking(
                () -> {
                  if (db != null) {
                    db.close();
                  }
                  return null;
                }))
        .eventually(() -> workers.close());
  }

  /** Plan expansions finished since start: a test waits for one to have run before asserting it did nothing. */
  public long expansionRuns() {
    return expandPlans == null ? 0 : expandPlans.runs();
  }

  /** Runs the daily stage sweep now, completing when a run that saw the clock as it is now has finished. */
  public Future<Void> sweepStagesNow() {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> stageSweep.runSoon().onComplete(p));
    return p.future();
  }

  /** Daily stage sweeps finished since start (each looks at every account, sweeping those whose day turned). */
  public long stageSweeps() {
    return stageSweep == null ? 0 : stageSweep.runs();
  }

  /** Asks for a dispatch pass now (as a report or a new job would), e.g. after a test moved its clock. */
  public void dispatchNow() {
    context.runOnContext(v -> dispatcher.kick());
  }

  /** Checks for customers left waiting finished since start (each decides every reply-time rule). */
  public long lateReplyRuns() {
    return lateReplies == null ? 0 : lateReplies.runs();
  }

  /** Dispatch passes finished since start. */
  public long dispatchPasses() {
    return dispatcher == null ? 0 : dispatcher.passes();
  }

  /** Job offers this node has handed to its agents since start. */
  public long offersMade() {
    return dispatcher == null ? 0 : dispatcher.offers();
  }

  /** Lease sweeps finished since start; each also kicks a dispatch pass. */
  public long leaseSweepRuns() {
    return expireLeases == null ? 0 : expireLeases.runs();
  }

  /** Every API operation as "METHOD /path" (path parameters as {name}), for the contract's test. */
  public java.util.List<String> apiOperations() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (io.vertx.ext.web.Route route : apiRouter.getRoutes()) {
      if (route.getPath() != null && route.methods() != null) {
        route.methods().forEach(m -> out.add(m.name() + " " + route.getPath().replaceAll(":([A-Za-z]+)", "{$1}")));
      }
    }
    return out;
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}
