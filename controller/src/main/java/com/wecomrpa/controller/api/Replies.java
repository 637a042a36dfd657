package com.wecomrpa.controller.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.controller.store.GroupCommit;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a handler's store work on a worker and answers in JSON; turns refusals into 400/404/409. */
final class Replies {
  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

  private final WorkerExecutor workers;
  private final GroupCommit durable;
  private final ObjectMapper json = WireCodec.mapper();

  Replies(WorkerExecutor workers, GroupCommit durable) {
    this.workers = workers;
    this.durable = durable;
  }

  <T> void ok(RoutingContext ctx, Callable<T> work) {
    reply(ctx, 200, work);
  }

  <T> void created(RoutingContext ctx, Callable<T> work) {
    reply(ctx, 201, work);
  }

  /** A change is answered only once it is on disk: a 201 survives a crash a moment later. */
  <T> void reply(RoutingContext ctx, int status, Callable<T> work) {
    HttpMethod m = ctx.request().method();
    boolean changes = m != HttpMethod.GET && m != HttpMethod.HEAD;
    workers.executeBlocking(work, false)
        .compose(v -> changes ? durable.flushed().map(v) : io.vertx.core.Future.succeededFuture(v))
        .onSuccess(v -> send(ctx, status, v))
        .onFailure(ctx::fail);
  }

  void fail(RoutingContext ctx) {
    Throwable e = ctx.failure();
    if (e instanceof Rejected r) {
      int status = switch (r.kind()) {
        case INVALID -> 400;
        case NOT_FOUND -> 404;
        case CONFLICT -> 409;
      };
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", r.getMessage());
      body.put("field", r.field());
      send(ctx, status, body);
      return;
    }
    if (e == null) {
      send(ctx, ctx.statusCode(), Map.of("error", ctx.statusCode() == 413 ? "request body too large" : "request failed"));
      return;
    }
    LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), e);
    send(ctx, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
  }

  void send(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    try {
      ctx.response()
          .setStatusCode(status)
          .putHeader("content-type", "application/json; charset=utf-8")
          .end(json.writeValueAsString(body));
    } catch (Exception e) {
      LOG.error("cannot encode response", e);
      ctx.response().setStatusCode(500).end();
    }
  }

  /** {@code value} once what the request changed is on disk. */
  <T> io.vertx.core.Future<T> durableAfter(T value) {
    return durable.flushed().map(value);
  }

  /** A record as the map the API writes for it. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object value) {
    return WireCodec.mapper().convertValue(value, LinkedHashMap.class);
  }

  <T> T convert(Object value, Class<T> type) {
    return json.convertValue(value, type);
  }
}
