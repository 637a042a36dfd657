package com.wecomrpa.controller.api;

import com.wecomrpa.controller.access.ApiAuth;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.access.JdbcTokenStore;
import com.wecomrpa.controller.audit.AuditLog;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;

/** Tokens and the audit log: the admin's side of the API. */
public final class AdminApi implements ApiPart {
  record TokenRequest(String name, String role, List<String> devices, String agentId) {}

  private final Clock clock;
  private final JdbcTokenStore tokens;
  private final AuditLog audit;
  private final ApiAuth auth;

  record LinkRequest(String role, Integer minutes, String person) {}

  record LoginRequest(String code) {}

  private final com.wecomrpa.controller.access.LoginLinks links;

  public AdminApi(Clock clock, JdbcTokenStore tokens, AuditLog audit, ApiAuth auth, com.wecomrpa.controller.access.LoginLinks links) {
    this.links = links;
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
      replies.created(ctx, () -> tokens.create(who, req.name(), req.role(), req.devices(), req.agentId(), audit, clock.instant()));
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
    r.post("/login-links").handler(ctx -> {
      LinkRequest req = RequestBodies.read(ctx, LinkRequest.class);
      Caller who = caller(ctx);
      java.time.Duration valid = java.time.Duration.ofMinutes(req.minutes() == null ? 60 : req.minutes());
      replies.created(ctx, () -> links.create(who, req.role(), req.person(), valid, clock.instant()));
    });
    // Needs no token: the link's code is the credential, good once.
    r.post("/login").handler(ctx -> {
      LoginRequest req = RequestBodies.read(ctx, LoginRequest.class);
      replies.ok(ctx, () -> links.redeem(req.code(), clock.instant()));
    });
    r.get("/audit").handler(ctx -> replies.ok(ctx, () -> audit.list(1000)));
  }
}
