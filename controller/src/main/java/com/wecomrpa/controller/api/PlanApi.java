package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.journey.CustomerEvent;
import com.wecomrpa.controller.journey.EventIntake;
import com.wecomrpa.controller.sop.JdbcPlanStore;
import com.wecomrpa.controller.sop.Plan;
import com.wecomrpa.controller.sop.PlanRules;
import com.wecomrpa.controller.sop.PlanSpec;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SOP plans, customer events and customers under {@code /api/v1}. */
public final class PlanApi implements ApiPart {
  record EventBatch(List<CustomerEvent> events) {}

  private final Vertx vertx;
  private final Clock clock;
  private final PlanRules rules;
  private final JdbcPlanStore plans;
  private final EventIntake events;
  private final java.util.function.Consumer<Boolean> expand;
  private final com.wecomrpa.controller.audit.AuditLog audit;

  private final com.wecomrpa.controller.sop.PlanExpander expander;

  public PlanApi(Vertx vertx, Clock clock, PlanRules rules, JdbcPlanStore plans, com.wecomrpa.controller.sop.PlanExpander expander, EventIntake events,
      java.util.function.Consumer<Boolean> expand, com.wecomrpa.controller.audit.AuditLog audit) {
    this.expander = expander;
    this.audit = audit;
    this.vertx = vertx;
    this.clock = clock;
    this.rules = rules;
    this.plans = plans;
    this.events = events;
    this.expand = expand;
  }

  /** Pauses, resumes or deletes a plan; audited under the caller with the status before and after. */
  private void status(io.vertx.ext.web.RoutingContext ctx, String status) {
    var who = AdminApi.caller(ctx);
    replies.ok(ctx, () -> expandAfter(view(plans.setStatus(who, ctx.pathParam("id"), status, audit, clock.instant())), true));
  }

  @Override
  public void mount(Router r, Replies replies) {
    this.replies = replies;
    r.post("/plans").handler(ctx -> {
      PlanSpec spec = RequestBodies.read(ctx, PlanSpec.class);
      Plan plan = rules.compile(spec);
      if ("true".equals(ctx.queryParams().get("preview"))) {
        // What it would post over the next days, from the same expansion that saving it runs; nothing stored.
        int days = days(ctx);
        replies.ok(ctx, () -> expander.preview(plan, clock.instant(), java.time.Duration.ofDays(days)));
        return;
      }
      replies.created(ctx, () -> expandAfter(view(plans.create(spec, plan, clock.instant())), false));
    });
    r.put("/plans/:id").handler(ctx -> {
      PlanSpec spec = RequestBodies.read(ctx, PlanSpec.class);
      if (spec.id() != null && !spec.id().equals(ctx.pathParam("id"))) {
        throw Rejected.invalid("id", "id in the body (" + spec.id() + ") differs from the path (" + ctx.pathParam("id") + ")");
      }
      PlanSpec withId = new PlanSpec(ctx.pathParam("id"), spec.name(), spec.kind(), spec.priority(), spec.window(), spec.accounts(), spec.target(),
          spec.schedule(), spec.trigger(), spec.stage(), spec.repeat(), spec.steps(), spec.exitOn());
      Plan plan = rules.compile(withId);
      replies.ok(ctx, () -> expandAfter(view(plans.update(ctx.pathParam("id"), withId, plan, clock.instant())), true));
    });
    r.post("/plans/:id/pause").handler(ctx -> status(ctx, "paused"));
    r.post("/plans/:id/resume").handler(ctx -> status(ctx, "active"));
    r.delete("/plans/:id").handler(ctx -> status(ctx, "deleted"));
    r.get("/plans").handler(ctx -> replies.ok(ctx, () -> plans.list().stream().map(this::view).toList()));
    r.get("/plans/:id").handler(ctx -> {
      java.time.Instant from = instant(ctx, "from");
      java.time.Instant to = instant(ctx, "to");
      replies.ok(ctx, () -> {
      Map<String, Object> v = view(plans.find(ctx.pathParam("id")).orElseThrow(() -> Rejected.notFound("id", "plan " + ctx.pathParam("id") + " not found")));
      v.put("report", plans.report(ctx.pathParam("id"), from, to));
      return v;
    });
    });
    r.get("/plans/:id/history").handler(ctx -> replies.ok(ctx, () -> plans.history(ctx.pathParam("id"))));
    r.post("/events").handler(this::events);
    r.get("/customers/:id").handler(ctx -> replies.ok(ctx, () -> events.customer(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "customer " + ctx.pathParam("id") + " not found"))));
  }

  private Replies replies;

  private void events(RoutingContext ctx) {
    EventBatch batch = RequestBodies.read(ctx, EventBatch.class);
    replies.ok(ctx, () -> expandAfter(events.accept(batch.events(), clock.instant()), false));
  }

  private static int days(RoutingContext ctx) {
    String v = ctx.queryParams().get("days");
    if (v == null) {
      return 7;
    }
    try {
      int d = Integer.parseInt(v);
      if (d >= 1 && d <= 31) {
        return d;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw Rejected.invalid("days", "days must be a whole number from 1 to 31, not '" + v + "'");
  }

  static java.time.Instant instant(RoutingContext ctx, String name) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return null;
    }
    try {
      return java.time.Instant.parse(v);
    } catch (java.time.DateTimeException e) {
      throw Rejected.invalid(name, name + " must be an ISO instant like 2026-11-22T16:00:00Z");
    }
  }

  /** Re-ranks the SOP posts soon (something else took group days). Call on the event loop. */
  public void rerankSoon() {
    expand.accept(true);
  }

  private <T> T expandAfter(T result, boolean rerank) {
    vertx.runOnContext(v -> expand.accept(rerank));
    return result;
  }

  private Map<String, Object> view(Plan.Stored p) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", p.plan().id());
    v.put("kind", p.plan().kind().name().toLowerCase());
    v.put("name", p.plan().name());
    v.put("status", p.status());
    v.put("version", p.version());
    v.put("priority", p.plan().priority());
    v.put("window", p.plan().window().toString());
    v.put("spec", p.spec());
    v.put("updatedAt", p.updatedAt());
    return v;
  }
}
