package com.wecomrpa.controller.api;

import com.wecomrpa.controller.members.MemberQueries;
import io.vertx.ext.web.Router;

/** Who is in each group, and the friend requests each account's client showed, as listening heard them. */
public final class MembersApi implements ApiPart {
  private final MemberQueries members;

  public MembersApi(MemberQueries members) {
    this.members = members;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/groups/:id/members").handler(ctx -> replies.ok(ctx, () -> members.ofGroup(ctx.pathParam("id"))));
    r.get("/accounts/:id/friend-requests").handler(ctx -> replies.ok(ctx, () -> members.requestsTo(ctx.pathParam("id"))));
  }
}
