package com.wecomrpa.controller.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.ext.web.RoutingContext;
import java.util.stream.Collectors;

/**
 * Strict JSON request bodies: unknown fields, wrong types and trailing garbage are refused with the
 * path of the offending field, before any handler sees the request.
 */
final class RequestBodies {
  private static final ObjectMapper STRICT =
      WireCodec.mapper()
          .copy()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** A body that gives only why (audited changes: pause, promote, retry...). */
  record Reason(String reason) {}

  private RequestBodies() {}

  /** The {@code reason} of an optional body: null when there is no body at all. */
  static String optionalReason(RoutingContext ctx) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    return body == null || body.isBlank() ? null : read(ctx, Reason.class).reason();
  }

  static <T> T read(RoutingContext ctx, Class<T> type) {
    String body = ctx.body() == null ? null : ctx.body().asString();
    if (body == null || body.isBlank()) {
      throw Rejected.invalid("body", "a JSON body is required");
    }
    try {
      T value = STRICT.readValue(body, type);
      if (value == null) {
        throw Rejected.invalid("body", "a JSON object is required");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw Rejected.invalid(path(e), "unknown field " + path(e));
    } catch (JsonMappingException e) {
      String field = path(e);
      throw Rejected.invalid(field.isEmpty() ? "body" : field, "invalid value" + (field.isEmpty() ? "" : " for " + field) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw Rejected.invalid("body", "malformed JSON: " + e.getOriginalMessage());
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining())
        .replaceFirst("^\\.", "");
  }
}
