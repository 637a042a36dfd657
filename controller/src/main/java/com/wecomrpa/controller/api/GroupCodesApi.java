package com.wecomrpa.controller.api;

import com.wecomrpa.controller.groupcode.GroupCode;
import com.wecomrpa.controller.groupcode.GroupCodes;
import io.vertx.ext.web.Router;
import java.time.Clock;

/** Group codes (群活码): pools of groups, routing a customer to one with room, and what each code did. */
public final class GroupCodesApi implements ApiPart {
  /** Whom to route. */
  public record Resolve(String customerId) {}

  private final Clock clock;
  private final GroupCodes codes;
  private final Runnable queued;

  public GroupCodesApi(Clock clock, GroupCodes codes, Runnable queued) {
    this.clock = clock;
    this.codes = codes;
    this.queued = queued;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/group-codes").handler(ctx -> replies.ok(ctx, codes::codes));
    r.put("/group-codes/:id").handler(ctx -> {
      GroupCode body = RequestBodies.read(ctx, GroupCode.class);
      replies.ok(ctx, () -> codes.put(ctx.pathParam("id"), body, AdminApi.caller(ctx), clock.instant()));
    });
    r.post("/group-codes/:id/resolve").handler(ctx -> {
      Resolve body = RequestBodies.read(ctx, Resolve.class);
      replies.ok(ctx, () -> {
        GroupCodes.Invitation i = codes.resolve(ctx.pathParam("id"), body.customerId(), clock.instant());
        if (i.fresh()) {
          queued.run();
        }
        return i;
      });
    });
    r.get("/group-codes/:id/report").handler(ctx -> replies.ok(ctx, () -> codes.report(ctx.pathParam("id"))));
  }
}
