package com.wecomrpa.controller.api;

import com.wecomrpa.controller.access.ApiAuth;
import com.wecomrpa.controller.access.Caller;
import com.wecomrpa.controller.access.JdbcTokenStore;
import com.wecomrpa.controller.audit.AuditLog;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;

/** Tokens and the audit log: the admin's side of the API. */
public final class AdminApi implements ApiPart {
  record TokenRequest(String name, String role, List<String> devices) {}

  private final Clock clock;
  private final JdbcTokenStore tokens;
  private final AuditLog audit;
  private final ApiAuth auth;

  public AdminApi(Clock clock, JdbcTokenStore tokens, AuditLog audit, ApiAuth auth) {
    this.clock = clock;
    this.tokens = tokens;
    this.audit = audit;
    this.auth = auth;
  }

  static Caller caller(RoutingContext ctx) {
    return ctx.get(ApiAuth.CALLER);
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/tokens").handler(ctx -> {
      TokenRequest req = RequestBodies.read(ctx, TokenRequest.class);
      Caller who = caller(ctx);
      replies.created(ctx, () -> tokens.create(who, req.name(), req.role(), req.devices(), audit, clock.instant()));
    });
    r.get("/tokens").handler(ctx -> replies.ok(ctx, tokens::list));
    r.delete("/tokens/:id").handler(ctx -> {
      Caller who = caller(ctx);
      replies.ok(ctx, () -> {
        var revoked = tokens.revoke(who, ctx.pathParam("id"), audit, clock.instant());
        auth.forget();
        return revoked;
      });
    });
    r.get("/audit").handler(ctx -> replies.ok(ctx, () -> audit.list(1000)));
  }
}
