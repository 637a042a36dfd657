package com.wecomrpa.controller.api;

import com.wecomrpa.controller.members.MemberQueries;
import com.wecomrpa.controller.welcome.WelcomeRule;
import com.wecomrpa.controller.welcome.Welcomes;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.Map;

/**
 * Groups as operators run them: who is in each group and the friend requests each account's client
 * showed, as listening heard them; welcome rules and the welcomes each group got.
 */
public final class MembersApi implements ApiPart {
  private final Clock clock;
  private final MemberQueries members;
  private final Welcomes welcomes;

  public MembersApi(Clock clock, MemberQueries members, Welcomes welcomes) {
    this.clock = clock;
    this.members = members;
    this.welcomes = welcomes;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/groups/:id/members").handler(ctx -> replies.ok(ctx, () -> members.ofGroup(ctx.pathParam("id"))));
    r.get("/accounts/:id/friend-requests").handler(ctx -> replies.ok(ctx, () -> members.requestsTo(ctx.pathParam("id"))));
    r.get("/welcome-rules").handler(ctx -> replies.ok(ctx, welcomes::rules));
    r.put("/welcome-rules/:id").handler(ctx -> {
      WelcomeRule body = RequestBodies.read(ctx, WelcomeRule.class);
      replies.ok(ctx, () -> welcomes.put(ctx.pathParam("id"), body, AdminApi.caller(ctx), clock.instant()));
    });
    r.delete("/welcome-rules/:id").handler(ctx -> replies.ok(ctx, () -> {
      welcomes.delete(ctx.pathParam("id"), AdminApi.caller(ctx), clock.instant());
      return Map.of("deleted", ctx.pathParam("id"));
    }));
    r.get("/groups/:id/welcomes").handler(ctx -> replies.ok(ctx, () -> welcomes.batchesOf(ctx.pathParam("id"))));
  }
}
