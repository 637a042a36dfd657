package com.wecomrpa.controller;

import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.access.ApiAuth;
import com.wecomrpa.controller.access.JdbcTokenStore;
import com.wecomrpa.controller.api.AdminApi;
import com.wecomrpa.controller.api.GroupsApi;
import com.wecomrpa.controller.api.LimitsApi;
import com.wecomrpa.controller.group.GroupReachability;
import com.wecomrpa.controller.api.PlanApi;
import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.controller.listen.ConversationQueries;
import com.wecomrpa.controller.customer.CustomerQueries;
import com.wecomrpa.controller.rollout.JdbcScriptStore;
import com.wecomrpa.controller.rollout.ScriptRouting;
import com.wecomrpa.controller.api.ScriptsApi;
import com.wecomrpa.controller.metrics.ControllerMetrics;
import com.wecomrpa.controller.telemetry.Telemetry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.api.RestApi;
import com.wecomrpa.controller.journey.EventIntake;
import com.wecomrpa.controller.sop.PlanRuns;
import com.wecomrpa.controller.sop.ExpandPlansTask;
import com.wecomrpa.controller.sop.JdbcPlanStore;
import com.wecomrpa.controller.sop.PlanExpander;
import com.wecomrpa.controller.sop.PlanRules;
import com.wecomrpa.controller.broadcast.JdbcBroadcastStore;
import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.DeviceRelease;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.api.ConversationApi;
import com.wecomrpa.controller.listen.HeardIntake;
import com.wecomrpa.controller.listen.JdbcListenStore;
import com.wecomrpa.controller.listen.ListenPlanner;
import com.wecomrpa.controller.replytime.LateReplies;
import com.wecomrpa.controller.tagging.JdbcRuleStore;
import com.wecomrpa.controller.tagging.Tagger;
import com.wecomrpa.controller.dispatch.ExpireLeasesTask;
import com.wecomrpa.controller.dispatch.ExpireWindowsTask;
import com.wecomrpa.controller.gateway.AgentGateway;
import com.wecomrpa.controller.gateway.GatewayTimings;
import com.wecomrpa.controller.evidence.ScreenshotFolder;
import com.wecomrpa.controller.evidence.SharedScreenshots;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.job.FencingTokens;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.api.JourneyApi;
import com.wecomrpa.controller.access.LoginThrottle;
import com.wecomrpa.controller.channel.ChannelCodes;
import com.wecomrpa.controller.orders.OrderIntake;
import com.wecomrpa.controller.stage.StageEngine;
import com.wecomrpa.controller.stage.StageSweep;
import com.wecomrpa.controller.outbox.EventOutbox;
import com.wecomrpa.controller.webhook.WebhookDeliveries;
import com.wecomrpa.controller.webhook.WebhookSteps;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Dialect;
import com.wecomrpa.controller.cluster.ClusterSignals;
import com.wecomrpa.controller.cluster.ClusterView;
import com.wecomrpa.controller.cluster.Readiness;
import com.wecomrpa.controller.cluster.SweepLead;
import io.vertx.core.json.JsonObject;
import com.wecomrpa.controller.store.GroupCommit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import com.wecomrpa.controller.access.LoginLinks;
import com.wecomrpa.controller.api.DevicesApi;
import com.wecomrpa.controller.api.OverviewApi;
import com.wecomrpa.controller.dispatch.DeviceActions;
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
  private ExpireWindowsTask expireWindows;
  private Dispatcher dispatcher;
  private ExpandPlansTask expandPlans;
  private ClusterView view;
  private SweepLead lead;
  private Readiness readiness;
  private OverviewApi overview;
  private Router apiRouter;
  private long dispatchTimer = -1;
  private long leadTimer = -1;
  /** When the farm's totals were last read for /metrics (System.nanoTime), and whether a read runs. */
  private long sampledAt;
  private boolean sampling;
  private ControllerMetrics metrics;
  private boolean renewing;
  private LateReplies lateReplies;
  private StageSweep stageSweep;
  private WebhookSteps webhookSteps;
  private WebhookDeliveries webhookDeliveries;
  private com.wecomrpa.controller.listen.ListenRetention listenRetention;
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
              new JdbcTokenStore(opened)
                  .bootstrapAdmin(options.adminToken(), clock.instant())
                  .filter(t -> options.adminToken() == null)
                  // Printed once, to the console only (or a 0600 file): tokens never go to the log.
                  .ifPresent(t -> {
                    if (options.adminTokenFile() == null) {
                      System.out.println("first admin token (shown once, keep it): " + t);
                    } else {
                      writeOwnerOnly(options.adminTokenFile(), t);
                      System.out.println("first admin token written to " + options.adminTokenFile() + " (mode 0600)");
                    }
                  });
              // The script routing is read here too: no JDBC on the event loop, start-up included.
              routing = new ScriptRouting();
              loadRouting(new JdbcScriptStore(opened, new AuditLog(opened)), routing);
              lead = new SweepLead(opened, node, SWEEP_TERM, view::oldest, options.dbUrl() == null);
              lead.renew();
              return opened;
            },
            false)
        .compose(
            database -> {
              db = database;
              JdbcTokenStore tokens = new JdbcTokenStore(db);
              // In a cluster any node may be asked for a screenshot another node received.
              com.wecomrpa.controller.evidence.Screenshots screenshots =
                  options.dbUrl() == null ? new ScreenshotFolder(options.dataDir().resolve("screenshots")) : new SharedScreenshots(db);
              PrometheusMeterRegistry registry = Telemetry.registryOf(vertx);
              AuditLog audit = new AuditLog(db);
              JdbcAlertStore alerts = new JdbcAlertStore(db);
              // 50 bad tokens from one address in 15 minutes lock it out for 15 minutes, with an alert.
              LoginThrottle throttle = new LoginThrottle(systemClock, 50, Duration.ofMinutes(15), (address, what) -> {
                LOG.warn("ALERT login:throttled {}", what);
                workers.executeBlocking(() -> {
                  alerts.raise("-", "login:throttled", what, null, clock.instant());
                  return null;
                }, false);
              });
              ApiAuth auth = new ApiAuth(vertx, workers, tokens, throttle);
              GroupDailyQuota quota = new GroupDailyQuota(options.postsPerGroupPerDay());
              JdbcLimitStore limits = new JdbcLimitStore(db, audit, options.maxGroupsPerAccount(), options.postsPerGroupPerDay(), options.limitProfile());
              Jobs jobs = Jobs.open(db, quota, limits, new java.util.SplittableRandom(), fencing);
              JdbcScriptStore scripts = new JdbcScriptStore(db, audit);
              DeviceBoard board = new DeviceBoard(clock, routing, options.unhealthyAfter());
              metrics = new ControllerMetrics(registry, board::snapshot);
              jobs.claims().onLeased(metrics::leased);
              ClusterSignals signals = new ClusterSignals(vertx, view);
              GroupCommit durable = new GroupCommit(db, workers);
              dispatcher = new Dispatcher(workers, board, jobs, durable, clock, systemClock, options.leaseDuration(), options.maxAttempts());
              dispatcher.onOffered(metrics::offered);
              PlanRules rules = new PlanRules(options.maxTextLength());
              JdbcPlanStore plans = new JdbcPlanStore(db, rules, jobs.transitions());
              // Listening: idle devices read their chats; what they hear is stored once and tags, replies, starts plans.
              JdbcListenStore listenStore = new JdbcListenStore(db, audit);
              ListenPlanner listenPlanner = new ListenPlanner(db, listenStore, clock, systemClock);
              dispatcher.whenIdle(listenPlanner);
              PlanRuns planRuns = new PlanRuns(plans, jobs.transitions());
              StageEngine stageEngine = new StageEngine(db, planRuns, audit);
              HeardIntake heardIntake = new HeardIntake(db, new Tagger(plans, jobs.intake()), stageEngine);
              AgentGateway gateway = AgentGateway.create(
                  new AgentGateway.Parts(vertx, workers, board, dispatcher, jobs, durable, screenshots,
                      tokens, options.agentToken(), scripts, alerts, metrics, systemClock, clock, heardIntake, () -> signals.kickPlans(false), throttle),
                  new GatewayTimings(options.leaseDuration(), options.heartbeatInterval(), options.maxAttempts()));
              expandPlans =
                  new ExpandPlansTask(vertx, workers, new PlanExpander(db, plans, jobs, limits, options.planHorizon()), dispatcher, clock);
              expandPlans.onlyWhile(lead::holds);
              JdbcAccountStore accounts = new JdbcAccountStore(db);
              JdbcBroadcastStore broadcasts = new JdbcBroadcastStore(db, jobs);
              java.util.function.Supplier<Future<?>> devices =
                  () -> view.clustered() ? signals.allDevices().map(ClusterSignals.DevicesSeen::devices) : Future.succeededFuture(board.snapshot());
              signals.serveDeviceActions(new DeviceActions(board, workers, jobs, systemClock, signals::kickDispatch)::apply);
              ConversationQueries conversations = new ConversationQueries(db);
              CustomerQueries customerQueries = new CustomerQueries(db);
              overview = new OverviewApi(vertx, workers, clock, jobs, broadcasts, plans, alerts, conversations, customerQueries, devices);
              // Journeys: orders and events move customers between stages by the rules; the systems around hear by webhooks.
              EventOutbox outbox = new EventOutbox(db, audit);
              RestApi api =
                  new RestApi(
                      vertx, workers, options.maxTextLength(), clock, accounts, new JdbcGroupStore(db, limits),
                      broadcasts, jobs, screenshots,
                      signals::kickDispatch,
                      new PlanApi(vertx, clock, rules, plans, new EventIntake(db, planRuns, stageEngine), signals::kickPlans),
                      new AdminApi(clock, tokens, audit, auth, new LoginLinks(db, tokens, audit)),
                      new LimitsApi(vertx, clock, limits, accounts, alerts, audit, () -> {
                        // A changed cap re-ranks the SOP posts it governs, then every node's claims read the new value.
                        signals.kickPlans(true);
                        signals.kickDispatch();
                      }),
                      new ScriptsApi(clock, scripts, routing, () -> {
                        rerouted(board);
                        signals.scriptsChanged();
                      }),
                      new GroupsApi(vertx, clock, new GroupReachability(db, audit), signals::kickDispatch),
                      new DevicesApi(workers, clock, jobs.queries(), audit, devices, signals::deviceAction),
                      new ConversationApi(clock, conversations, customerQueries, listenStore, new JdbcRuleStore(db, audit), listenPlanner::forget),
                      new JourneyApi(vertx, clock, new OrderIntake(db, stageEngine), stageEngine, new ChannelCodes(db, audit), outbox, () -> signals.kickPlans(false)),
                      overview,
                      durable);
              signals.listen(
                  dispatcher::kick,
                  expandPlans::kick,
                  () -> workers
                      .executeBlocking(() -> {
                        loadRouting(scripts, routing);
                        return null;
                      }, false)
                      .onSuccess(v -> {
                        rerouted(board);
                        dispatcher.kick();
                      }),
                  ended -> new DeviceRelease(board, dispatcher::kick).release(ended.deviceId(), ended.jobId(), ended.fencingToken()),
                  board::snapshot);
              readiness = new Readiness(vertx, workers, db, view, lead, gateway::dropAll);
              gateway.onlyWhile(readiness::ready);
              dispatcher.onlyWhile(readiness::ready);
              readiness.start();
              overview.start();
              Router root = Router.router(vertx);
              root.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "up").put("node", node)));
              root.get("/ready").handler(ctx -> {
                JsonObject r = readiness.describe().put("node", node);
                ctx.response().setStatusCode(r.getBoolean("ready") ? 200 : 503);
                ctx.json(r);
              });
              root.get("/metrics").handler(ctx -> sampled(db, limits).onComplete(ar -> ctx.response()
                  .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape())));
              // The console: static files from the classpath, speaking to the same API with the same tokens.
              root.get("/").handler(ctx -> ctx.redirect("/console/"));
              // (Vert.x matches "/console" for "/console/" too: only the bare path is sent on.)
              root.get("/console").handler(ctx -> {
                if (ctx.request().path().endsWith("/")) {
                  ctx.next();
                } else {
                  ctx.redirect("/console/");
                }
              });
              root.route("/console/*").handler(ctx -> {
                // Only the console's own files run; screenshots arrive as blobs; nothing may frame it.
                ctx.response()
                    .putHeader("content-security-policy", "default-src 'self'; img-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
                    .putHeader("x-content-type-options", "nosniff")
                    .putHeader("referrer-policy", "no-referrer");
                ctx.next();
              });
              root.route("/console/*").handler(StaticHandler.create("console").setCachingEnabled(false));
              root.route("/agent").handler(ctx -> ctx.request().toWebSocket().onSuccess(gateway::accept).onFailure(ctx::fail));
              // The body is read before authentication, whose token lookup may be asynchronous.
              // One route (so metrics name each API route once): body, then token and role, then the API.
              apiRouter = api.router();
              root.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(8 << 20)).handler(auth::handle).subRouter(apiRouter);
              // Exactly one node sweeps at a time: the one holding the sweep lead in the database.
              expireLeases = new ExpireLeasesTask(vertx, workers, jobs, systemClock, e -> {
                metrics.leaseExpired(e.newState().name());
                signals.leaseEnded(new ClusterSignals.LeaseEnded(e.deviceId(), e.jobId(), e.fencingToken()));
              });
              expireLeases.onlyWhile(lead::holds);
              expireWindows = new ExpireWindowsTask(vertx, workers, jobs, clock);
              expireWindows.onlyWhile(lead::holds);
              lateReplies = new LateReplies(vertx, workers, db, alerts, metrics, clock);
              lateReplies.onlyWhile(lead::holds);
              lateReplies.start(Duration.ofSeconds(2));
              listenRetention = new com.wecomrpa.controller.listen.ListenRetention(vertx, workers, db, systemClock);
              listenRetention.onlyWhile(lead::holds);
              listenRetention.start(Duration.ofMinutes(10));
              stageSweep = new StageSweep(vertx, workers, db, stageEngine, clock, () -> signals.kickPlans(false));
              stageSweep.onlyWhile(lead::holds);
              webhookSteps = new WebhookSteps(vertx, workers, jobs.calls(), clock, systemClock);
              webhookSteps.onlyWhile(lead::holds);
              webhookSteps.start(Duration.ofMillis(500));
              webhookDeliveries = new WebhookDeliveries(vertx, workers, db, systemClock);
              webhookDeliveries.onlyWhile(lead::holds);
              webhookDeliveries.start(Duration.ofMillis(500));
              expandPlans.start(Duration.ofSeconds(1));
              Duration sweep = Duration.ofMillis(Math.max(50, Math.min(250, options.leaseDuration().toMillis() / 4)));
              expireLeases.start(sweep);
              stageSweep.start(sweep);
              expireWindows.start(sweep);
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
                  .createHttpServer(
                      serverOptions())
                  .requestHandler(root)
                  .listen(options.port(), options.host());
            })
        .onSuccess(
            s -> {
              server = s;
              LOG.info("controller listening on {}://{}:{}/api/v1 (data in {})", options.scheme(), options.host(), s.actualPort(), options.dataDir());
              if (options.tls() == null && !loopback(options.host())) {
                LOG.warn("WARNING: serving plain HTTP and ws:// on {}, not loopback: anyone on the path can read agent tokens and every message; start with --tls-cert and --tls-key (docs/security.md)", options.host());
              }
            });
  }

  /**
   * The farm's totals are read from the database when scraped, at most every 15 s (quota use every
   * minute): nothing is spent on them where nobody scrapes, and a busy farm pays little where one does.
   */
  private Future<Void> sampled(Database db, JdbcLimitStore limits) {
    metrics.countDevices();
    if (sampling || (sampledAt != 0 && System.nanoTime() - sampledAt < 15_000_000_000L)) {
      return Future.succeededFuture();
    }
    sampling = true;
    return workers.executeBlocking(() -> {
      metrics.sample(db, limits, clock.instant());
      return null;
    }, false).<Void>mapEmpty().onComplete(ar -> {
      sampling = false;
      sampledAt = System.nanoTime();
      if (ar.failed()) {
        LOG.debug("metrics sample failed: {}", ar.cause().getMessage());
      }
    }).recover(e -> Future.succeededFuture());
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
        expireLeases.kick();
        expireWindows.kick();
        expandPlans.kick();
      }
    });
  }

  /** Routes this node's devices again; logs those whose scripts changed (a second pass finds none). */
  private static void rerouted(DeviceBoard board) {
    board.reroute().forEach(d -> LOG.info("device={} now runs {}{}", d.deviceId(), d.scripts(), d.problem() == null ? "" : " (" + d.problem() + ")"));
  }

  private static void loadRouting(JdbcScriptStore stored, ScriptRouting into) {
    for (String client : stored.clients()) {
      into.update(stored.rollout(client), stored.supportsByVersion(client));
    }
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
    if (overview != null) {
      overview.stop();
    }
    if (expireLeases != null) {
      expireLeases.stop();
      expireWindows.stop();
      if (lateReplies != null) {
        lateReplies.stop();
        listenRetention.stop();
      }
      if (stageSweep != null) {
        stageSweep.stop();
        webhookSteps.stop();
        webhookDeliveries.stop();
      }
    }
    if (expandPlans != null) {
      expandPlans.stop();
    }
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
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

  private static void writeOwnerOnly(java.nio.file.Path file, String secret) {
    try {
      java.nio.file.Files.deleteIfExists(file);
      java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      java.nio.file.Files.writeString(file, secret + "\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write the admin token to " + file, e);
    }
  }

  /** TLS 1.2 and 1.3 only, from the PEM files given; plain otherwise. */
  private HttpServerOptions serverOptions() {
    HttpServerOptions o = new HttpServerOptions().setMaxWebSocketMessageSize(MAX_WS_MESSAGE).setMaxWebSocketFrameSize(1 << 20);
    if (options.tls() != null) {
      o.setSsl(true)
          .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(options.tls().cert().toString()).setKeyPath(options.tls().key().toString()))
          .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"));
    }
    return o;
  }

  static boolean loopback(String host) {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
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
