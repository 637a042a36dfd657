package com.wecomrpa.controller.api;

import com.wecomrpa.controller.handover.Handovers;
import com.wecomrpa.controller.input.Rejected;
import io.vertx.ext.web.Router;
import java.time.Clock;

/** Handing an account's groups and customers to another account, the accounts that have room, and what each handover did. */
public final class HandoverApi implements ApiPart {
  private final Clock clock;
  private final Handovers handovers;
  private final Runnable moved;

  /** {@code moved} runs once a handover's jobs are committed (to offer them to the receiving account's devices). */
  public HandoverApi(Clock clock, Handovers handovers, Runnable moved) {
    this.clock = clock;
    this.handovers = handovers;
    this.moved = moved;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/accounts/:id/handover").handler(ctx -> {
      Handovers.Request body = RequestBodies.read(ctx, Handovers.Request.class);
      replies.created(ctx, () -> {
        Handovers.Result result = handovers.handOver(AdminApi.caller(ctx), ctx.pathParam("id"), body, clock.instant());
        moved.run();
        return result;
      });
    });
    r.get("/accounts/:id/handover-targets").handler(ctx -> replies.ok(ctx, () -> handovers.targets(ctx.pathParam("id"), clock.instant())));
    r.get("/handovers").handler(ctx -> replies.ok(ctx, () -> handovers.list(100)));
    r.get("/handovers/:id").handler(ctx -> replies.ok(ctx, () -> handovers.find(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "handover " + ctx.pathParam("id") + " not found"))));
  }
}
