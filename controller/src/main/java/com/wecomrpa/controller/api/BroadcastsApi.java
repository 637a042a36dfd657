package com.wecomrpa.controller.api;

import com.wecomrpa.controller.broadcast.Content;
import com.wecomrpa.controller.broadcast.JdbcBroadcastStore;
import com.wecomrpa.controller.broadcast.Target;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.protocol.ContentKind;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** Broadcasts: one text to groups by id or tag, each group once; listed; read with their progress. */
public final class BroadcastsApi implements ApiPart {
  record BroadcastRequest(String id, Content content, Target target) {}

  private final Vertx vertx;
  private final Clock clock;
  private final int maxTextLength;
  private final JdbcBroadcastStore broadcasts;
  private final PlanApi plans;
  private final Runnable kickDispatch;

  /** {@code kickDispatch} runs on the event loop once a broadcast's jobs are committed. */
  public BroadcastsApi(Vertx vertx, Clock clock, int maxTextLength, JdbcBroadcastStore broadcasts, PlanApi plans, Runnable kickDispatch) {
    this.vertx = vertx;
    this.clock = clock;
    this.maxTextLength = maxTextLength;
    this.broadcasts = broadcasts;
    this.plans = plans;
    this.kickDispatch = kickDispatch;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/broadcasts").handler(ctx -> replies.created(ctx, createBroadcast(RequestBodies.read(ctx, BroadcastRequest.class))));
    r.get("/broadcasts").handler(ctx -> {
      int limit = RestApi.intParam(ctx, "limit", 50, 1, 500);
      replies.ok(ctx, () -> broadcasts.list(limit));
    });
    r.get("/broadcasts/:id").handler(ctx -> replies.ok(ctx, () -> broadcasts.find(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "broadcast " + ctx.pathParam("id") + " not found"))));
  }

  private Callable<Object> createBroadcast(BroadcastRequest req) {
    String id = req.id() == null ? "bc-" + UUID.randomUUID() : Fields.id("id", req.id());
    Content content = req.content();
    if (content == null) {
      throw Rejected.invalid("content", "content is required");
    }
    String kind = content.kind() == null ? ContentKind.TEXT.wireName() : content.kind();
    if (!kind.equals(ContentKind.TEXT.wireName())) {
      throw Rejected.invalid("content.kind", "content.kind " + kind + " is not supported; use text");
    }
    String text = Fields.required("content.text", content.text());
    Fields.maxLength("content.text", text, maxTextLength);
    Target target = req.target();
    if (target == null) {
      throw Rejected.invalid("target", "target is required: groupIds or tag");
    }
    if ((target.groupIds() == null) == (target.tag() == null)) {
      throw Rejected.invalid("target", "target needs exactly one of groupIds or tag");
    }
    if (target.groupIds() != null) {
      if (target.groupIds().isEmpty()) {
        throw Rejected.invalid("target.groupIds", "target.groupIds must not be empty");
      }
      if (target.groupIds().stream().distinct().count() != target.groupIds().size()) {
        throw Rejected.invalid("target.groupIds", "target.groupIds lists a group twice");
      }
      for (int i = 0; i < target.groupIds().size(); i++) {
        Fields.required("target.groupIds[" + i + "]", target.groupIds().get(i));
      }
    } else {
      Fields.required("target.tag", target.tag());
    }
    Content normalized = new Content(ContentKind.TEXT.wireName(), text);
    return () -> {
      var b = broadcasts.create(id, normalized, target, clock.instant());
      // Kicked from the event loop once the jobs are committed.
      vertx.runOnContext(v -> {
        // The broadcast's posts take their groups' days: today's plan posts are ranked again.
        plans.rerankSoon();
        kickDispatch.run();
      });
      return Map.of("id", b.id(), "jobs", b.jobCount());
    };
  }
}
