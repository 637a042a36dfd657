package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.journey.CustomerActions;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Map;

/** An operator's hand on one customer: tag, untag, start a customer plan now, end a plan run, erase (admins); each audited. */
public final class CustomerActionsApi implements ApiPart {
  record StartPlan(String planId, String reason) {}

  private final Vertx vertx;
  private final Clock clock;
  private final CustomerActions actions;
  private final Runnable expandPlans;
  private final com.wecomrpa.controller.erasure.CustomerErasure erasure;

  /** {@code expandPlans} runs once a started plan is committed, so its first steps are queued at once. */
  public CustomerActionsApi(Vertx vertx, Clock clock, CustomerActions actions, Runnable expandPlans, com.wecomrpa.controller.erasure.CustomerErasure erasure) {
    this.vertx = vertx;
    this.clock = clock;
    this.actions = actions;
    this.expandPlans = expandPlans;
    this.erasure = erasure;
  }

  @Override
  public void mount(Router r, Replies replies) {
    // Erasure on the person's request (PIPL): admins only, audited without content.
    r.delete("/customers/:id").handler(ctx -> {
      String reason = RequestBodies.optionalReason(ctx);
      var who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> erasure.erase(who, ctx.pathParam("id"), reason, clock.instant()));
    });
    r.get("/customers/:id/plans").handler(ctx -> replies.ok(ctx, () -> actions.runs(ctx.pathParam("id"))));
    r.put("/customers/:id/tags/:tag").handler(ctx -> tag(ctx, replies, true));
    r.delete("/customers/:id/tags/:tag").handler(ctx -> tag(ctx, replies, false));
    r.post("/customers/:id/plans").handler(ctx -> {
      StartPlan body = RequestBodies.read(ctx, StartPlan.class);
      String planId = Fields.id("planId", body.planId());
      var who = AdminApi.caller(ctx);
      replies.created(ctx, () -> {
        var run = actions.start(who, ctx.pathParam("id"), planId, body.reason(), clock.instant());
        vertx.runOnContext(v -> expandPlans.run());
        return run;
      });
    });
    r.post("/customers/:id/plans/:planId/end").handler(ctx -> {
      String reason = RequestBodies.optionalReason(ctx);
      var who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> actions.end(who, ctx.pathParam("id"), ctx.pathParam("planId"), reason, clock.instant()));
    });
  }

  /** Tags ({@code add}) or untags a customer by hand; the answer says whether anything changed. */
  private void tag(io.vertx.ext.web.RoutingContext ctx, Replies replies, boolean add) {
    String reason = RequestBodies.optionalReason(ctx);
    var who = AdminApi.caller(ctx);
    String id = ctx.pathParam("id");
    String tag = ctx.pathParam("tag");
    replies.ok(ctx, () -> Map.of("customerId", id, "tag", tag, add ? "added" : "removed",
        add ? actions.tag(who, id, tag, reason, clock.instant()) : actions.untag(who, id, tag, reason, clock.instant())));
  }
}
