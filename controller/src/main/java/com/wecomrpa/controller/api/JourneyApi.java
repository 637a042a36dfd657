package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.channel.ChannelCodes;
import com.wecomrpa.controller.orders.OrderIntake;
import com.wecomrpa.controller.customer.CustomerQueries;
import com.wecomrpa.controller.stage.StageEngine;
import com.wecomrpa.controller.stage.StageQueries;
import com.wecomrpa.controller.stage.StageRules;
import com.wecomrpa.controller.outbox.EventOutbox;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Customer journeys from the systems around: orders in, the stage rules (preview, save, versions),
 * each customer's stage and why, channel codes and their report, and the outbound event webhooks.
 */
public final class JourneyApi implements ApiPart {
  /** A batch of orders. */
  public record OrderBatch(List<OrderIntake.OrderIn> orders) {}

  private final Vertx vertx;
  private final Clock clock;
  private final OrderIntake orders;
  private final StageEngine stages;
  private final StageQueries stageReads;
  private final CustomerQueries customers;
  private final ChannelCodes codes;
  private final EventOutbox webhooks;
  private final Runnable customersChanged;

  /** {@code customersChanged} runs after orders or rules moved customers (plans to expand). */
  public JourneyApi(Vertx vertx, Clock clock, OrderIntake orders, StageEngine stages, StageQueries stageReads, CustomerQueries customers, ChannelCodes codes, EventOutbox webhooks, Runnable customersChanged) {
    this.vertx = vertx;
    this.clock = clock;
    this.orders = orders;
    this.stages = stages;
    this.stageReads = stageReads;
    this.customers = customers;
    this.codes = codes;
    this.webhooks = webhooks;
    this.customersChanged = customersChanged;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/orders").handler(ctx -> {
      OrderBatch batch = RequestBodies.read(ctx, OrderBatch.class);
      boolean dryRun = "true".equals(ctx.queryParams().get("dryRun"));
      replies.ok(ctx, () -> {
        OrderIntake.Outcome o = orders.accept(batch.orders(), clock.instant(), dryRun);
        if (o.stageMoves() > 0) {
          vertx.runOnContext(v -> customersChanged.run());
        }
        return o;
      });
    });
    r.get("/customers/:id/orders").handler(ctx -> replies.ok(ctx, () -> orders.ordersOf(ctx.pathParam("id"))));
    r.get("/customers/:id/stage").handler(ctx -> replies.ok(ctx, () -> stageReads.journey(ctx.pathParam("id"), clock.instant())));
    r.get("/stages").handler(ctx -> replies.ok(ctx, () -> Map.of("customers", customers.census(ctx.queryParams().get("accountId")), "sweptDays", stageReads.sweptDays())));
    r.get("/stage-transitions").handler(ctx -> {
      long after;
      try {
        after = Long.parseLong(ctx.queryParams().get("after") == null ? "0" : ctx.queryParams().get("after"));
      } catch (NumberFormatException e) {
        throw Rejected.invalid("after", "after must be a transition id (the last id of the previous page)");
      }
      int limit = RestApi.intParam(ctx, "limit", 1000, 1, 10000);
      replies.ok(ctx, () -> stageReads.transitions(after, limit));
    });
    r.get("/stage-rules").handler(ctx -> replies.ok(ctx, () -> {
      Map<String, Object> m = new LinkedHashMap<>();
      stages.current().ifPresentOrElse(f -> {
        m.put("version", f.version());
        m.put("rules", f.rules().spec().rules());
        m.put("note", f.rules().spec().note());
        m.put("savedBy", f.savedBy());
        m.put("savedAt", f.savedAt().toString());
      }, () -> {
        m.put("version", 0);
        m.put("rules", List.of());
      });
      return m;
    }));
    r.get("/stage-rules/versions").handler(ctx -> replies.ok(ctx, stageReads::versions));
    r.post("/stage-rules/preview").handler(ctx -> {
      StageRules.Spec spec = RequestBodies.read(ctx, StageRules.Spec.class);
      replies.ok(ctx, () -> stages.preview(spec, clock.instant()));
    });
    r.put("/stage-rules").handler(ctx -> {
      StageRules.Spec spec = RequestBodies.read(ctx, StageRules.Spec.class);
      replies.ok(ctx, () -> {
        StageEngine.Saved saved = stages.save(spec, AdminApi.caller(ctx), clock.instant());
        vertx.runOnContext(v -> customersChanged.run());
        return saved;
      });
    });
    r.get("/channel-codes").handler(ctx -> replies.ok(ctx, codes::list));
    r.put("/channel-codes/:code").handler(ctx -> {
      ChannelCodes.Code spec = RequestBodies.read(ctx, ChannelCodes.Code.class);
      replies.ok(ctx, () -> codes.put(ctx.pathParam("code"), spec, AdminApi.caller(ctx), clock.instant()));
    });
    r.get("/channel-codes/report").handler(ctx -> {
      Instant to = instant("to", ctx.queryParams().get("to"), clock.instant().plusSeconds(1));
      Instant from = instant("from", ctx.queryParams().get("from"), to.minus(Duration.ofDays(90)));
      replies.ok(ctx, () -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from.toString());
        m.put("to", to.toString());
        m.putAll(codes.report(from, to));
        return m;
      });
    });
    r.get("/webhooks").handler(ctx -> replies.ok(ctx, webhooks::list));
    r.post("/webhooks").handler(ctx -> {
      EventOutbox.SubscriptionSpec spec = RequestBodies.read(ctx, EventOutbox.SubscriptionSpec.class);
      replies.created(ctx, () -> webhooks.subscribe(spec, AdminApi.caller(ctx), clock.instant()));
    });
    r.get("/webhooks/:id/deliveries").handler(ctx -> replies.ok(ctx, () -> webhooks.deliveries(ctx.pathParam("id"), RestApi.intParam(ctx, "limit", 50, 1, 500))));
    r.delete("/webhooks/:id").handler(ctx -> replies.ok(ctx, () -> webhooks.delete(ctx.pathParam("id"), AdminApi.caller(ctx), clock.instant())));
  }

  private static Instant instant(String field, String text, Instant fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Instant.parse(text);
    } catch (java.time.DateTimeException e) {
      throw Rejected.invalid(field, field + " '" + text + "' must be an ISO instant like 2026-11-22T09:00:00Z");
    }
  }
}
