package com.wecomrpa.controller.api;

import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.risk.JdbcAlertStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;

/** Limits (global, tag, account), each account's effective limits and usage, pausing and alerts. */
public final class LimitsApi implements ApiPart {
  record LimitChange(Map<String, String> values, String reason) {}

  record StatusChange(String reason) {}

  private final Vertx vertx;
  private final Clock clock;
  private final JdbcLimitStore limits;
  private final JdbcAccountStore accounts;
  private final JdbcAlertStore alerts;
  private final AuditLog audit;
  private final Runnable changed;

  /** {@code changed} runs on the event loop after a change that may free work (a kick to dispatch). */
  public LimitsApi(Vertx vertx, Clock clock, JdbcLimitStore limits, JdbcAccountStore accounts, JdbcAlertStore alerts, AuditLog audit, Runnable changed) {
    this.vertx = vertx;
    this.clock = clock;
    this.limits = limits;
    this.accounts = accounts;
    this.alerts = alerts;
    this.audit = audit;
    this.changed = changed;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/limits").handler(ctx -> replies.ok(ctx, limits::all));
    r.put("/limits/global").handler(ctx -> put(ctx, replies, "global", "*"));
    r.put("/limits/tags/:tag").handler(ctx -> put(ctx, replies, "tag", ctx.pathParam("tag")));
    r.put("/limits/accounts/:id").handler(ctx -> put(ctx, replies, "account", ctx.pathParam("id")));
    r.put("/limits/customer-tags/:tag").handler(ctx -> put(ctx, replies, JdbcLimitStore.CUSTOMER_TAG, ctx.pathParam("tag")));
    r.put("/limits/stages/:stage").handler(ctx -> put(ctx, replies, JdbcLimitStore.STAGE, ctx.pathParam("stage")));
    r.get("/accounts/:id/limits").handler(ctx -> replies.ok(ctx, () -> limits.effective(ctx.pathParam("id"), clock.instant())));
    r.get("/accounts/:id/usage").handler(ctx -> replies.ok(ctx, () -> limits.usage(ctx.pathParam("id"), clock.instant())));
    r.post("/accounts/:id/pause").handler(ctx -> status(ctx, replies, "paused"));
    r.post("/accounts/:id/resume").handler(ctx -> status(ctx, replies, "active"));
    r.get("/alerts").handler(ctx -> {
      String state = ctx.queryParams().get("state");
      int limit = RestApi.intParam(ctx, "limit", 500, 1, 5000);
      replies.ok(ctx, () -> alerts.list(limit, state));
    });
    r.post("/alerts/:id/acknowledge").handler(ctx -> alert(ctx, replies, false));
    r.post("/alerts/:id/resolve").handler(ctx -> alert(ctx, replies, true));
  }

  private void alert(RoutingContext ctx, Replies replies, boolean resolve) {
    String note = RequestBodies.optionalReason(ctx);
    Caller who = AdminApi.caller(ctx);
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw com.wecomrpa.controller.input.Rejected.notFound("id", "alert " + ctx.pathParam("id") + " not found");
    }
    replies.ok(ctx, () -> resolve ? alerts.resolve(who, id, note, clock.instant()) : alerts.acknowledge(who, id, note, clock.instant()));
  }

  private void put(RoutingContext ctx, Replies replies, String scope, String key) {
    LimitChange change = RequestBodies.read(ctx, LimitChange.class);
    Caller who = AdminApi.caller(ctx);
    replies.ok(ctx, () -> after(limits.put(who, scope, key, change.values(), change.reason(), clock.instant())));
  }

  private void status(RoutingContext ctx, Replies replies, String status) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    StatusChange change = body == null || body.isBlank() ? new StatusChange(null) : RequestBodies.read(ctx, StatusChange.class);
    Caller who = AdminApi.caller(ctx);
    replies.ok(ctx, () -> after(accounts.setStatus(who, ctx.pathParam("id"), status, change.reason(), audit, clock.instant())));
  }

  private <T> T after(T result) {
    vertx.runOnContext(v -> changed.run());
    return result;
  }
}
