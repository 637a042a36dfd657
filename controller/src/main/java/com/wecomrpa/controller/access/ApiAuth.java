package com.wecomrpa.controller.access;

import com.wecomrpa.controller.caller.Role;
import com.wecomrpa.controller.caller.Caller;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates every API request by its bearer token and checks the token's role against the
 * {@link AccessPolicy}: 401 without a valid token, 403 with one that lacks the role. The caller is
 * left on the routing context for handlers that audit what they change.
 */
public final class ApiAuth {
  public static final String CALLER = "caller";
  /** Answered without a token: liveness, the API contract, and spending a one-time login link. */
  private static final Set<String> PUBLIC = Set.of("/health", "/openapi.json", "/login");

  private final WorkerExecutor workers;
  private final JdbcTokenStore tokens;
  // Hash → caller, so a busy API does not hit the database per request; cleared on revocation.
  private final Map<String, Caller> known = new ConcurrentHashMap<>();

  private final LoginThrottle throttle;
  private final io.vertx.core.Vertx vertx;

  public ApiAuth(io.vertx.core.Vertx vertx, WorkerExecutor workers, JdbcTokenStore tokens, LoginThrottle throttle) {
    this.vertx = vertx;
    this.workers = workers;
    this.tokens = tokens;
    this.throttle = throttle;
  }

  public void handle(RoutingContext ctx) {
    String path = ctx.request().path().substring("/api/v1".length());
    if (PUBLIC.contains(path)) {
      ctx.next();
      return;
    }
    String address = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
    LoginThrottle.Verdict v = throttle.check(address);
    if (v.locked()) {
      ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, v.retryAfter().toSeconds())));
      deny(ctx, 429, "too many bad tokens from this address; try again in " + Math.max(1, v.retryAfter().toSeconds()) + " s");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.startsWith("Bearer ") || header.length() <= 7) {
      deny(ctx, 401, "a bearer token is required (Authorization: Bearer <token>)");
      return;
    }
    String token = header.substring(7).trim();
    String hash = JdbcTokenStore.hash(token);
    Caller cached = known.get(hash);
    if (cached != null) {
      authorize(ctx, path, cached);
      return;
    }
    workers
        .executeBlocking(() -> tokens.authenticate(token), false)
        .onSuccess(
            (Optional<Caller> caller) -> {
              if (caller.isEmpty()) {
                LoginThrottle.Verdict failed = throttle.failed(address, "API");
                if (failed.locked()) {
                  ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, failed.retryAfter().toSeconds())));
                  deny(ctx, 429, "too many bad tokens from this address; try again in " + Math.max(1, failed.retryAfter().toSeconds()) + " s");
                  return;
                }
                long hold = failed.retryAfter().toMillis();
                if (hold == 0) {
                  deny(ctx, 401, "the token is not valid");
                } else {
                  vertx.setTimer(hold, t -> deny(ctx, 401, "the token is not valid"));
                }
                return;
              }
              throttle.succeeded(address);
              known.put(hash, caller.get());
              authorize(ctx, path, caller.get());
            })
        .onFailure(ctx::fail);
  }

  /** Forgets cached tokens, e.g. after one was revoked. */
  public void forget() {
    known.clear();
  }

  private void authorize(RoutingContext ctx, String path, Caller caller) {
    Set<Role> allowed = AccessPolicy.allowed(ctx.request().method(), path);
    if (!allowed.contains(caller.role())) {
      deny(ctx, 403, "role " + caller.role().name().toLowerCase() + " may not " + ctx.request().method() + " " + path);
      return;
    }
    ctx.put(CALLER, caller);
    ctx.next();
  }

  private static void deny(RoutingContext ctx, int status, String why) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
        .end(io.vertx.core.json.Json.encode(Map.of("error", why)));
  }
}
