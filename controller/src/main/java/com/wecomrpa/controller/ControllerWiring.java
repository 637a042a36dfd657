package com.wecomrpa.controller;

import com.wecomrpa.controller.stage.StageQueries;
import com.wecomrpa.controller.gateway.HeardHandler;
import com.wecomrpa.controller.gateway.ScriptHandler;
import com.wecomrpa.controller.gateway.DeviceHandler;
import com.wecomrpa.controller.gateway.ReportHandler;
import com.wecomrpa.controller.gateway.LeaseHandler;
import com.wecomrpa.controller.gateway.HelloHandler;
import com.wecomrpa.controller.gateway.GatewayAlerts;
import java.util.List;
import com.wecomrpa.controller.api.JobsApi;
import com.wecomrpa.controller.job.JobInterventions;
import com.wecomrpa.controller.api.BroadcastsApi;
import com.wecomrpa.controller.api.AccountsApi;
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
import com.wecomrpa.controller.cadence.CadenceCheck;
import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.DeviceRelease;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.api.ConversationApi;
import com.wecomrpa.controller.api.GroupCodesApi;
import com.wecomrpa.controller.api.HandoverApi;
import com.wecomrpa.controller.handover.Handovers;
import com.wecomrpa.controller.handover.PlatformAdmin;
import com.wecomrpa.controller.api.MembersApi;
import com.wecomrpa.controller.groupcode.GroupCodes;
import com.wecomrpa.controller.listen.HeardIntake;
import com.wecomrpa.controller.members.GroupStats;
import com.wecomrpa.controller.members.MemberQueries;
import com.wecomrpa.controller.members.Membership;
import com.wecomrpa.controller.welcome.QueueWelcomesTask;
import com.wecomrpa.controller.welcome.Welcomes;
import com.wecomrpa.controller.spam.AntiSpam;
import com.wecomrpa.controller.listen.JdbcListenStore;
import com.wecomrpa.controller.listen.ListenPlanner;
import com.wecomrpa.controller.replytime.FindLateRepliesTask;
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
import com.wecomrpa.controller.stage.SweepStagesTask;
import com.wecomrpa.controller.outbox.EventOutbox;
import com.wecomrpa.controller.webhook.DeliverWebhooksTask;
import com.wecomrpa.controller.webhook.CallWebhookStepsTask;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.cluster.ClusterSignals;
import com.wecomrpa.controller.cluster.ClusterView;
import com.wecomrpa.controller.cluster.Readiness;
import com.wecomrpa.controller.cluster.SweepLead;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.controller.sweep.Schedule;
import com.wecomrpa.controller.ControllerWiring.Wired;
import com.wecomrpa.controller.metrics.MetricsSampler;
import com.wecomrpa.controller.listen.PruneHeardTask;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import com.wecomrpa.controller.access.LoginLinks;
import com.wecomrpa.controller.api.DevicesApi;
import com.wecomrpa.controller.api.OverviewApi;
import com.wecomrpa.controller.dispatch.DeviceActions;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.Vertx;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Who depends on what, in one place: builds the controller's parts on an open store and returns
 * what its lifecycle starts, serves and stops. Builds only: nothing here runs until started.
 */
final class ControllerWiring {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControllerWiring.class);

  /** What the controller's lifecycle needs of its parts. */
  record Wired(DeviceBoard board, Dispatcher dispatcher, Schedule schedule, ExpandPlansTask expandPlans, ExpireLeasesTask expireLeases,
      FindLateRepliesTask lateReplies, SweepStagesTask stageSweep, Readiness readiness, OverviewApi overview, ControllerMetrics metrics, Router apiRouter,
      Router root, Duration sweep, com.wecomrpa.controller.disk.DiskGuard disk) {}

  private ControllerWiring() {}

  /** An alert about a full disk may itself not find room: the log has it then. */
  private static void bestEffort(Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      LOG.warn("could not store the disk alert: {}", e.toString());
    }
  }

  static Wired wire(Vertx vertx, WorkerExecutor workers, ControllerOptions options, Clock clock, Clock systemClock, Database db,
      FencingTokens fencing, ScriptRouting routing, ClusterView view, SweepLead lead, String node) {
    JdbcTokenStore tokens = new JdbcTokenStore(db);
    // In a cluster any node may be asked for a screenshot another node received.
    com.wecomrpa.controller.evidence.Screenshots screenshots =
        options.dbUrl() == null ? new ScreenshotFolder(options.dataDir().resolve("screenshots")) : new SharedScreenshots(db);
    PrometheusMeterRegistry registry = Telemetry.registryOf(vertx);
    AuditLog audit = new AuditLog(db);
    JdbcAlertStore alerts = new JdbcAlertStore(db, audit);
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
    com.wecomrpa.controller.retention.StorageUse storageUse = new com.wecomrpa.controller.retention.StorageUse(db, options.dataDir(), options.retention());
    Jobs jobs = Jobs.open(db, quota, limits, new java.util.SplittableRandom(), fencing);
    JdbcScriptStore scripts = new JdbcScriptStore(db, audit);
    DeviceBoard board = new DeviceBoard(clock, routing, options.unhealthyAfter());
    ControllerMetrics metrics = new ControllerMetrics(registry, board::snapshot);
    jobs.claims().onLeased(metrics::leased);
    ClusterSignals signals = new ClusterSignals(vertx, view);
    GroupCommit durable = new GroupCommit(db, workers);
    Dispatcher dispatcher = new Dispatcher(workers, board, jobs, durable, clock, systemClock, options.leaseDuration(), options.maxAttempts(), options.clustered() ? 1 : 2);
    dispatcher.onOffered(metrics::offered);
    PlanRules rules = new PlanRules(options.maxTextLength());
    JdbcPlanStore plans = new JdbcPlanStore(db, rules, jobs.transitions());
    // Listening: idle devices read their chats; what they hear is stored once and tags, replies, starts plans.
    JdbcListenStore listenStore = new JdbcListenStore(db, audit);
    ListenPlanner listenPlanner = new ListenPlanner(db, listenStore, clock, systemClock);
    dispatcher.whenIdle(listenPlanner);
    PlanRuns planRuns = new PlanRuns(plans, jobs.transitions());
    StageEngine stageEngine = new StageEngine(db, planRuns, audit);
    EventIntake eventIntake = new EventIntake(db, planRuns, stageEngine);
    Welcomes welcomes = new Welcomes(db, audit, jobs.intake());
    AntiSpam antiSpam = new AntiSpam(db, audit, jobs.intake(), welcomes);
    HeardIntake heardIntake = new HeardIntake(db, new Tagger(plans, jobs.intake()), stageEngine, new Membership(eventIntake, jobs.intake(), welcomes, antiSpam), antiSpam);
    GatewayTimings timings = new GatewayTimings(options.leaseDuration(), options.heartbeatInterval(), options.maxAttempts());
    GatewayAlerts gatewayAlerts = new GatewayAlerts(workers, alerts, systemClock);
    com.wecomrpa.controller.screen.DeviceScreens screens = new com.wecomrpa.controller.screen.DeviceScreens(board, systemClock);
    AgentGateway gateway = new AgentGateway(vertx, board, timings,
        new HelloHandler(vertx, throttle, workers, tokens, options.agentToken(), board, dispatcher, jobs, durable, gatewayAlerts, systemClock, clock, timings),
        new LeaseHandler(workers, jobs, board, dispatcher, systemClock, clock, timings),
        new ReportHandler(workers, jobs, screenshots, durable, board, dispatcher, metrics, gatewayAlerts, systemClock, clock, timings),
        new DeviceHandler(board, dispatcher, screens, gatewayAlerts),
        new ScriptHandler(workers, scripts),
        new HeardHandler(workers, heardIntake, durable, board, dispatcher, metrics, clock, () -> signals.kickPlans(false)));
    gateway.watchRevocations(workers, tokens);
    PlanExpander expander = new PlanExpander(db, plans, jobs, limits, options.planHorizon());
    ExpandPlansTask expandPlans = new ExpandPlansTask(vertx, workers, expander, dispatcher, clock);
    JdbcAccountStore accounts = new JdbcAccountStore(db);
    JdbcBroadcastStore broadcasts = new JdbcBroadcastStore(db, jobs);
    java.util.function.Supplier<Future<?>> devices =
        () -> view.clustered() ? signals.allDevices().map(ClusterSignals.DevicesSeen::devices) : Future.succeededFuture(board.snapshot());
    signals.serveDeviceActions(new DeviceActions(board, workers, jobs, systemClock, signals::kickDispatch)::apply);
    ConversationQueries conversations = new ConversationQueries(db);
    CustomerQueries customerQueries = new CustomerQueries(db);
    OverviewApi overview = new OverviewApi(vertx, workers, clock, jobs, broadcasts, plans, alerts, conversations, customerQueries, devices);
    // Journeys: orders and events move customers between stages by the rules; the systems around hear by webhooks.
    EventOutbox outbox = new EventOutbox(db, audit);
    JobInterventions interventions = new JobInterventions(db, audit);
    PlanApi planApi = new PlanApi(vertx, clock, rules, plans, expander, eventIntake, signals::kickPlans, audit);
    RestApi api = new RestApi(vertx, workers, durable, List.of(
        new AccountsApi(clock, accounts),
        new GroupsApi(vertx, clock, new JdbcGroupStore(db, limits), new GroupReachability(db, audit), signals::kickDispatch),
        new BroadcastsApi(vertx, clock, options.maxTextLength(), broadcasts, planApi, signals::kickDispatch, new CadenceCheck(limits), interventions),
        new JobsApi(workers, jobs.queries(), screenshots, interventions, clock, signals::kickDispatch, devices),
        planApi,
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
        new DevicesApi(workers, clock, jobs.queries(), audit, devices, signals::deviceAction, screens),
        new ConversationApi(clock, conversations, customerQueries, listenStore, new JdbcRuleStore(db, audit), listenPlanner::forget),
        new JourneyApi(vertx, clock, new OrderIntake(db, stageEngine, eventIntake::raiseIn), stageEngine, new StageQueries(db), customerQueries, new ChannelCodes(db, audit), outbox, () -> signals.kickPlans(false)),
        new MembersApi(clock, new MemberQueries(db), welcomes, antiSpam, new GroupStats(db)),
        new com.wecomrpa.controller.api.TrendsApi(clock, new com.wecomrpa.controller.trends.Trends(db)),
        new com.wecomrpa.controller.api.StorageApi(storageUse),
        new com.wecomrpa.controller.api.BackupsApi(systemClock, new com.wecomrpa.controller.backup.StoreBackups(db, audit), options.dataDir()),
        new com.wecomrpa.controller.api.CustomerActionsApi(vertx, clock,
            new com.wecomrpa.controller.journey.CustomerActions(db, plans, jobs.transitions(), audit), () -> signals.kickPlans(false),
            new com.wecomrpa.controller.erasure.CustomerErasure(db, screenshots, audit)),
        new GroupCodesApi(clock, new GroupCodes(db, audit, jobs.intake()), signals::kickDispatch),
        new HandoverApi(clock, new Handovers(db, limits, audit, java.util.Optional.ofNullable(options.platformApi())
            .map(p -> new PlatformAdmin(p.url(), p.corpId(), p.secretFile()))), signals::kickDispatch),
        overview));
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
    Readiness readiness = new Readiness(vertx, systemClock, db, view, lead, gateway::dropAll);
    gateway.onlyWhile(readiness::ready);
    dispatcher.onlyWhile(readiness::ready);
    Router apiRouter = api.router();
    // A full disk is the store's problem, said once in an alert and resolved by itself.
    String diskSubject = JdbcAlertStore.subject("disk", options.dataDir().toAbsolutePath().toString());
    com.wecomrpa.controller.disk.DiskGuard disk = new com.wecomrpa.controller.disk.DiskGuard(vertx, workers, options.diskFloor(),
        why -> bestEffort(() -> alerts.raise("-", "disk:low", diskSubject, why, null, clock.instant())),
        why -> bestEffort(() -> alerts.resolveAbout(diskSubject, "itself", why, clock.instant())));
    Router root = ControllerRoutes.root(vertx, node, readiness::describe, new MetricsSampler(workers, metrics, registry, db, limits, storageUse, clock)::handle,
        gateway::accept, auth::handle, disk::handle, apiRouter);
    // Exactly one node sweeps at a time: the one holding the sweep lead in the database.
    Duration sweep = Duration.ofMillis(Math.max(50, Math.min(250, options.leaseDuration().toMillis() / 4)));
    Schedule schedule = new Schedule(() -> lead.holds() && readiness.ready());
    ExpireLeasesTask expireLeases = schedule.leaderOnly(new ExpireLeasesTask(vertx, workers, jobs, systemClock, hearing(options), e -> {
      metrics.leaseExpired(e.newState().name());
      signals.leaseEnded(new ClusterSignals.LeaseEnded(e.deviceId(), e.jobId(), e.fencingToken()));
    }), sweep);
    schedule.leaderOnly(new ExpireWindowsTask(vertx, workers, jobs, clock), sweep);
    schedule.leaderOnly(expandPlans, Duration.ofSeconds(1));
    FindLateRepliesTask lateReplies = schedule.leaderOnly(new FindLateRepliesTask(vertx, workers, db, alerts, metrics, clock), Duration.ofSeconds(2));
    schedule.leaderOnly(new PruneHeardTask(vertx, workers, db, systemClock), Duration.ofMinutes(10));
    schedule.leaderOnly(new com.wecomrpa.controller.retention.ApplyRetentionTask(vertx, workers, db, screenshots, options.retention(), systemClock), Duration.ofMinutes(1));
    schedule.leaderOnly(new QueueWelcomesTask(vertx, workers, welcomes, clock, signals::kickDispatch), Duration.ofSeconds(1));
    SweepStagesTask stageSweep = schedule.leaderOnly(new SweepStagesTask(vertx, workers, db, stageEngine, clock, () -> signals.kickPlans(false)), sweep);
    schedule.leaderOnly(new CallWebhookStepsTask(vertx, workers, jobs.calls(), clock, systemClock), Duration.ofMillis(500));
    schedule.leaderOnly(new DeliverWebhooksTask(vertx, workers, db, systemClock), Duration.ofMillis(500));
    return new Wired(board, dispatcher, schedule, expandPlans, expireLeases, lateReplies, stageSweep, readiness, overview, metrics, apiRouter, root, sweep, disk);
  }

  /** Routes this node's devices again; logs those whose scripts changed (a second pass finds none). */
  static void rerouted(DeviceBoard board) {
    board.reroute().forEach(d -> LOG.info("device={} now runs {}{}", d.deviceId(), d.scripts(), d.problem() == null ? "" : " (" + d.problem() + ")"));
  }

  static void loadRouting(JdbcScriptStore stored, ScriptRouting into) {
    for (String client : stored.clients()) {
      into.update(stored.rollout(client), stored.supportsByVersion(client));
    }
  }

  /**
   * How long a node that could not hear the agents listens before it ends a lease: two heartbeats
   * (every live agent renews in one), never longer than a lease.
   */
  static Duration hearing(ControllerOptions options) {
    Duration twoBeats = options.heartbeatInterval().multipliedBy(2);
    return twoBeats.compareTo(options.leaseDuration()) < 0 ? twoBeats : options.leaseDuration();
  }
}
