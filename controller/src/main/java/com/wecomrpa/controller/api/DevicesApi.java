package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.cluster.ClusterSignals.DeviceAction;
import com.wecomrpa.controller.job.JobQueries;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Devices as ops see them, with the last failure and the last screenshot each left, and what an
 * operator may do to one: drain, send for repair, resume, release a stuck lease. Every action is
 * carried out by the node holding the device and audited with its reason.
 */
public final class DevicesApi implements ApiPart {
  static final List<String> ACTIONS = List.of("drain", "repair", "resume", "release");

  private final WorkerExecutor workers;
  private final Clock clock;
  private final JobQueries queries;
  private final AuditLog audit;
  private final Supplier<Future<?>> devices;
  private final Function<DeviceAction, Future<Optional<Object>>> act;

  private final com.wecomrpa.controller.screen.DeviceScreens screens;

  public DevicesApi(WorkerExecutor workers, Clock clock, JobQueries queries, AuditLog audit, Supplier<Future<?>> devices,
      Function<DeviceAction, Future<Optional<Object>>> act, com.wecomrpa.controller.screen.DeviceScreens screens) {
    this.screens = screens;
    this.workers = workers;
    this.clock = clock;
    this.queries = queries;
    this.audit = audit;
    this.devices = devices;
    this.act = act;
  }

  @Override
  public void mount(Router r, Replies replies) {
    // Every node's devices: an agent's devices live on the node holding its connection.
    r.get("/devices").handler(ctx -> devices.get()
        .compose(list -> workers.executeBlocking(() -> withEvidence((List<?>) list), false))
        .onSuccess(d -> replies.send(ctx, 200, d))
        .onFailure(ctx::fail));
    for (String action : ACTIONS) {
      r.post("/devices/:id/" + action).handler(ctx -> act(ctx, replies, action));
    }
    r.get("/devices/:id/screen").handler(this::screen);
  }

  /**
   * The newest picture of a device's screen; looking keeps its agent sending for a few seconds.
   * In memory only, so answered on the event loop. 204 until the first picture comes.
   */
  private void screen(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    var look = screens.look(id);
    if (look.frame().isEmpty()) {
      if (!look.connectedHere()) {
        throw Rejected.notFound("id", "device " + id + " is not connected to this controller");
      }
      ctx.response().setStatusCode(204).putHeader("cache-control", "no-store").end();
      return;
    }
    var f = look.frame().get();
    var res = ctx.response().putHeader("content-type", "image/png").putHeader("cache-control", "no-store")
        .putHeader("x-taken-at", f.takenAt().toString()).putHeader("x-connected", String.valueOf(look.connectedHere()));
    if (f.jobId() != null) {
      res.putHeader("x-job", f.jobId());
    }
    if (f.step() != null) {
      // A header is Latin-1: the step's name (a flow step's) is sent percent-encoded.
      res.putHeader("x-step", java.net.URLEncoder.encode(f.step(), java.nio.charset.StandardCharsets.UTF_8));
    }
    res.end(io.vertx.core.buffer.Buffer.buffer(f.png()));
  }

  private void act(RoutingContext ctx, Replies replies, String action) {
    String id = ctx.pathParam("id");
    String reason = RequestBodies.optionalReason(ctx);
    Caller who = AdminApi.caller(ctx);
    act.apply(new DeviceAction(id, action, reason))
        .recover(e -> Future.failedFuture(Rejected.conflict("id", e.getMessage())))
        .compose(done -> {
          Object status = done.orElseThrow(() -> Rejected.notFound("id", "device " + id + " is not connected"));
          String state = status instanceof Map<?, ?> m ? String.valueOf(m.get("state")) : null;
          return workers.executeBlocking(() -> {
            audit.record(who, "device." + action, id, null, state, reason, clock.instant());
            return status;
          }, false);
        })
        .compose(status -> replies.durableAfter(status))
        .onSuccess(status -> replies.send(ctx, 200, status))
        .onFailure(ctx::fail);
  }

  /** Adds each device's last failed attempt (error, step, when) and its last screenshot. */
  private List<Map<String, Object>> withEvidence(List<?> list) {
    List<Map<String, Object>> out = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (Object d : list) {
      Map<String, Object> m = Replies.asMap(d);
      out.add(m);
      ids.add(String.valueOf(m.get("deviceId")));
    }
    JobQueries.DeviceEvidence evidence = queries.evidence(ids);
    for (Map<String, Object> m : out) {
      JobQueries.LastFailure f = evidence.lastFailure().get(String.valueOf(m.get("deviceId")));
      m.put("lastFailure", f == null ? null : Replies.asMap(f));
      m.put("lastScreenshot", evidence.lastScreenshot().get(String.valueOf(m.get("deviceId"))));
    }
    return out;
  }
}
