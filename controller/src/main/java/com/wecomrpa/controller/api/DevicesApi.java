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

  public DevicesApi(WorkerExecutor workers, Clock clock, JobQueries queries, AuditLog audit, Supplier<Future<?>> devices,
      Function<DeviceAction, Future<Optional<Object>>> act) {
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
