package com.wecomrpa.controller.api;

import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.broadcast.JdbcBroadcastStore;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.customer.CustomerQueries;
import com.wecomrpa.controller.job.JobState;
import com.wecomrpa.controller.listen.ConversationQueries;
import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.controller.sop.JdbcPlanStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The farm at a glance (agents and devices by state, today's sends, skips and failures, what is
 * queued, broadcasts and plans running, recent alerts), and the same pushed every second to every
 * open console as server-sent events, so pages follow the farm without reloading.
 */
public final class OverviewApi implements ApiPart {
  /** The console's "today": the farm's zone (accounts keep their own zone for quotas). */
  static final ZoneId TODAY_ZONE = ZoneId.of("Asia/Shanghai");
  private static final List<JobState> OPEN = List.of(JobState.QUEUED, JobState.LEASED, JobState.RUNNING);
  private static final List<JobState> ENDED = List.of(JobState.SUCCEEDED, JobState.SKIPPED, JobState.FAILED, JobState.UNKNOWN);

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final JdbcPlanStore plans;
  private final JdbcAlertStore alerts;
  private final ConversationQueries conversations;
  private final CustomerQueries customers;
  private final Jobs jobs;
  private final JdbcBroadcastStore broadcasts;
  private final Supplier<Future<?>> devices;
  private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
  private long timer = -1;
  private boolean computing;

  public OverviewApi(Vertx vertx, WorkerExecutor workers, Clock clock, Jobs jobs, JdbcBroadcastStore broadcasts, JdbcPlanStore plans, JdbcAlertStore alerts,
      ConversationQueries conversations, CustomerQueries customers, Supplier<Future<?>> devices) {
    this.vertx = vertx;
    this.workers = workers;
    this.clock = clock;
    this.plans = plans;
    this.alerts = alerts;
    this.conversations = conversations;
    this.customers = customers;
    this.jobs = jobs;
    this.broadcasts = broadcasts;
    this.devices = devices;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/overview").handler(ctx -> overview().onSuccess(o -> replies.send(ctx, 200, o)).onFailure(ctx::fail));
    r.get("/whoami").handler(ctx -> {
      Caller who = AdminApi.caller(ctx);
      replies.send(ctx, 200, Map.of("name", who.name(), "role", who.role().name().toLowerCase()));
    });
    r.get("/stream").handler(this::stream);
  }

  /** Starts pushing (every second while a console listens); call on the event loop. */
  public void start() {
    timer = vertx.setPeriodic(1000, t -> push());
  }

  public void stop() {
    vertx.cancelTimer(timer);
    streams.forEach(s -> s.end().onFailure(e -> {}));
    streams.clear();
  }

  private void stream(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    res.setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no");
    res.write(": wecom-rpa overview stream\n\n");
    streams.add(res);
    res.closeHandler(v -> streams.remove(res));
    res.exceptionHandler(e -> streams.remove(res));
    overview().onSuccess(o -> write(res, o));
  }

  private void push() {
    if (streams.isEmpty() || computing) {
      return;
    }
    computing = true;
    overview().onComplete(ar -> {
      computing = false;
      if (ar.succeeded()) {
        streams.forEach(s -> write(s, ar.result()));
      }
    });
  }

  private void write(HttpServerResponse res, Overview overview) {
    if (!res.ended() && !res.closed()) {
      res.write("event: overview\ndata: " + Json.encode(overview) + "\n\n");
    }
  }

  Future<Overview> overview() {
    return devices.get().compose(list -> workers.executeBlocking(() -> compute((List<?>) list), false));
  }

  private Overview compute(List<?> deviceList) {
    Instant now = clock.instant();
    Instant midnight = now.atZone(TODAY_ZONE).toLocalDate().atStartOfDay(TODAY_ZONE).toInstant();
    Map<String, Integer> byState = new TreeMap<>();
    Set<Object> agents = new java.util.HashSet<>();
    for (Object d : deviceList) {
      Map<String, Object> m = Replies.asMap(d);
      byState.merge(String.valueOf(m.get("state")), 1, Integer::sum);
      agents.add(m.get("agentId"));
    }
    Map<String, Integer> today = jobs.queries().endedSince(midnight, ENDED);
    // What still needs someone: the newest alerts not yet resolved.
    List<Overview.Alert> latest = alerts.list(5, "unresolved").stream()
        .map(a -> new Overview.Alert(a.at().toString(), a.accountId(), a.kind(), a.detail())).toList();
    Map<String, Integer> replied = jobs.queries().repliesEndedSince(midnight, List.of(JobState.SUCCEEDED, JobState.SKIPPED));
    // Broadcasts with work left (at most 20), then the latest finished ones.
    List<String> running = jobs.queries().broadcastsWithWorkLeft(20);
    List<String> ids = new ArrayList<>(running);
    broadcasts.newest(5).stream().filter(id -> !running.contains(id)).forEach(ids::add);
    List<Object> shown = new ArrayList<>();
    for (String id : ids) {
      broadcasts.summary(id).ifPresent(b -> {
        Map<String, Object> v = Replies.asMap(b);
        v.put("running", running.contains(b.id()));
        v.remove("sendTimes");
        shown.add(v);
      });
    }
    return new Overview(now.toString(), agents.size(), new Overview.Devices(deviceList.size(), byState),
        new Overview.Today(midnight.toString(), today.get("SUCCEEDED"), today.get("SKIPPED"), today.get("FAILED"), today.get("UNKNOWN")),
        jobs.queries().countNow(OPEN), plans.countByStatus(),
        new Overview.Alerts(alerts.countSince(now.minusSeconds(24 * 3600)), alerts.countUnresolved(), latest),
        new Overview.Heard(conversations.fromCustomersSince(midnight), customers.tagsAddedSince(midnight), replied.get("SUCCEEDED"), replied.get("SKIPPED"),
            conversations.lateSince(midnight)),
        shown, running.size());
  }
}
