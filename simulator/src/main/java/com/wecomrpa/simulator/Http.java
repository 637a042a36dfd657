package com.wecomrpa.simulator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.simulator.ChatWorld.WorldException;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** How the simulator's endpoints read and answer: JSON both ways, a refusal as {@code {"error": ...}}. */
final class Http {
  private static final ObjectMapper JSON = WireCodec.mapper();

  private Http() {}

  /** Runs the action; the world's refusals and bad arguments become the answer. */
  static void guarded(RoutingContext ctx, Runnable action) {
    try {
      action.run();
    } catch (WorldException e) {
      send(ctx, e.status(), Map.of("error", e.getMessage()));
    } catch (IllegalArgumentException e) {
      send(ctx, 400, Map.of("error", e.getMessage()));
    }
  }

  static <T> T readBody(RoutingContext ctx, TypeReference<T> type) {
    try {
      return JSON.readValue(ctx.body().asString(), type);
    } catch (Exception e) {
      throw new WorldException(400, "malformed JSON body: " + e.getMessage());
    }
  }

  static void send(RoutingContext ctx, int status, Object body) {
    try {
      ctx.response()
          .setStatusCode(status)
          .putHeader("content-type", "application/json; charset=utf-8")
          .end(JSON.writeValueAsString(body));
    } catch (Exception e) {
      ctx.fail(e);
    }
  }
}
