package com.wecomrpa.controller.api;


import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.controller.input.Rejected;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The JSON API under {@code /api/v1}: a router of resources (one {@link ApiPart} each). Handlers validate on the event loop and store on workers. */
public final class RestApi {
  private final Vertx vertx;
  private final Replies replies;
  private final List<ApiPart> parts;

  /** {@code parts}: one resource each, mounted in this order; replies are flushed to disk before a 2xx. */
  public RestApi(Vertx vertx, WorkerExecutor workers, GroupCommit durable, List<ApiPart> parts) {
    this.vertx = vertx;
    this.replies = new Replies(workers, durable);
    this.parts = List.copyOf(parts);
  }

  public Router router() {
    Router r = Router.router(vertx);
    r.get("/health").handler(ctx -> send(ctx, 200, Map.of("status", "up")));
    r.get("/openapi.json").handler(ctx -> ctx.response().putHeader("content-type", "application/json; charset=utf-8").end(OpenApiDocument.json()));

    parts.forEach(p -> p.mount(r, replies));
    r.route().failureHandler(replies::fail);
    return r;
  }

  static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw Rejected.invalid(name, name + " must be a number in " + min + ".." + max);
    }
  }

  private static Rejected notFound(String what, String id) {
    return Rejected.notFound("id", what + " " + id + " not found");
  }

  private <T> void ok(RoutingContext ctx, Callable<T> work) {
    replies.ok(ctx, work);
  }

  private <T> void created(RoutingContext ctx, Callable<T> work) {
    replies.created(ctx, work);
  }

  private void send(RoutingContext ctx, int status, Object body) {
    replies.send(ctx, status, body);
  }
}
