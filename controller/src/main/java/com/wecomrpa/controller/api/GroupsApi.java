package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.group.GroupReachability;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * A group the client could not find, as an operator handles it: rename it to its name in the
 * client, retry it, or confirm it gone. {@code GET /groups/{id}/reachability} shows the evidence.
 */
public final class GroupsApi implements ApiPart {
  record Rename(String name, String reason) {}

  private final Vertx vertx;
  private final Clock clock;
  private final GroupReachability reachability;
  private final Runnable changed;

  /** {@code changed} runs on the event loop after a change (the dispatcher's kick). */
  public GroupsApi(Vertx vertx, Clock clock, GroupReachability reachability, Runnable changed) {
    this.vertx = vertx;
    this.clock = clock;
    this.reachability = reachability;
    this.changed = changed;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/groups/:id/reachability").handler(ctx -> replies.ok(ctx, () -> reachability.status(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "group " + ctx.pathParam("id") + " not found"))));
    r.put("/groups/:id/name").handler(ctx -> {
      Rename req = RequestBodies.read(ctx, Rename.class);
      String name = Fields.maxLength("name", Fields.required("name", req.name()), 200);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> after(reachability.rename(who, ctx.pathParam("id"), name, req.reason(), clock.instant())));
    });
    r.post("/groups/:id/retry").handler(ctx -> {
      String why = RequestBodies.optionalReason(ctx);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> after(reachability.retry(who, ctx.pathParam("id"), why, clock.instant())));
    });
    r.post("/groups/:id/gone").handler(ctx -> {
      RequestBodies.Reason req = RequestBodies.read(ctx, RequestBodies.Reason.class);
      String why = Fields.maxLength("reason", Fields.required("reason", req.reason()), 500);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> after(reachability.confirmGone(who, ctx.pathParam("id"), why, clock.instant())));
    });
  }

  private <T> T after(T result) {
    vertx.runOnContext(v -> changed.run());
    return result;
  }
}
