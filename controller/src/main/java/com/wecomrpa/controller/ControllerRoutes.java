package com.wecomrpa.controller;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.function.Supplier;

/** The controller's one HTTP surface: health and readiness, metrics, the console, the agents' socket, the API. */
final class ControllerRoutes {
  /**
   * The node's name with the port it really listens on: the name is made before the port is bound,
   * so a node told to take any free port (0) would otherwise call itself host:0.
   */
  static String named(String node, RoutingContext ctx) {
    return node.contains(":0 pid ") ? node.replace(":0 pid ", ":" + ctx.request().localAddress().port() + " pid ") : node;
  }

  private ControllerRoutes() {}

  /**
   * {@code readiness} answers /ready (its {@code ready} field decides 200 or 503); {@code metrics}
   * handles /metrics; {@code auth} checks the token and role of every API call, then {@code disk} refuses writes while the disk is full, before {@code api}.
   */
  static Router root(Vertx vertx, String node, Supplier<JsonObject> readiness, Handler<RoutingContext> metrics, Handler<ServerWebSocket> agents,
      Handler<RoutingContext> auth, Handler<RoutingContext> disk, Router api) {
    Router root = Router.router(vertx);
    root.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "up").put("node", named(node, ctx))));
    root.get("/ready").handler(ctx -> {
      JsonObject r = readiness.get().put("node", named(node, ctx));
      ctx.response().setStatusCode(r.getBoolean("ready") ? 200 : 503);
      ctx.json(r);
    });
    root.get("/metrics").handler(metrics);
    // The console: static files from the classpath, speaking to the same API with the same tokens.
    root.get("/").handler(ctx -> ctx.redirect("/console/"));
    // (Vert.x matches "/console" for "/console/" too: only the bare path is sent on.)
    root.get("/console").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) {
        ctx.next();
      } else {
        ctx.redirect("/console/");
      }
    });
    root.route("/console/*").handler(ctx -> {
      // Only the console's own files run; screenshots arrive as blobs; nothing may frame it.
      ctx.response()
          .putHeader("content-security-policy", "default-src 'self'; img-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
          .putHeader("x-content-type-options", "nosniff")
          .putHeader("referrer-policy", "no-referrer");
      ctx.next();
    });
    root.route("/console/*").handler(StaticHandler.create("console").setCachingEnabled(false));
    root.route("/agent").handler(ctx -> ctx.request().toWebSocket().onSuccess(agents).onFailure(ctx::fail));
    // The body is read before authentication, whose token lookup may be asynchronous.
    // One route (so metrics name each API route once): body, then token and role, then the API.
    // No file uploads (false): the API takes JSON and CSV bodies, and leaves no file-uploads folder.
    root.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(8 << 20)).handler(auth).handler(disk).subRouter(api);
    return root;
  }
}
