package com.wecomrpa.controller.api;

import com.wecomrpa.controller.members.GroupStats;
import com.wecomrpa.controller.members.MemberQueries;
import com.wecomrpa.controller.welcome.WelcomeRule;
import com.wecomrpa.controller.welcome.Welcomes;
import com.wecomrpa.controller.spam.AntiSpam;
import com.wecomrpa.controller.spam.SpamRule;
import io.vertx.ext.web.Router;
import java.util.List;
import java.time.Clock;
import java.util.Map;

/**
 * Groups as operators run them: who is in each group and the friend requests each account's client
 * showed, as listening heard them; welcome rules and the welcomes each group got; anti-spam rules,
 * each account's staff (never touched by them) and what they did in each group.
 */
public final class MembersApi implements ApiPart {
  private final Clock clock;
  private final MemberQueries members;
  private final Welcomes welcomes;
  private final AntiSpam spam;
  private final GroupStats stats;

  public MembersApi(Clock clock, MemberQueries members, Welcomes welcomes, AntiSpam spam, GroupStats stats) {
    this.stats = stats;
    this.clock = clock;
    this.members = members;
    this.welcomes = welcomes;
    this.spam = spam;
  }

  /** The account's staff, as a list of names. */
  public record Staff(List<String> names) {}

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
    // Days are the business days of Shanghai where no account zone applies; each group uses its account's.
    r.get("/groups/:id/stats").handler(ctx -> replies.ok(ctx, () -> stats.ofGroup(ctx.pathParam("id"), ctx.queryParams().get("from"),
        ctx.queryParams().get("to"), java.time.LocalDate.now(clock.withZone(java.time.ZoneId.of("Asia/Shanghai"))))));
    r.get("/group-stats").handler(ctx -> replies.ok(ctx, () -> stats.totals(ctx.queryParams().get("accountId"), ctx.queryParams().get("tag"),
        ctx.queryParams().get("from"), ctx.queryParams().get("to"), java.time.LocalDate.now(clock.withZone(java.time.ZoneId.of("Asia/Shanghai"))))));
    r.get("/spam-rules").handler(ctx -> replies.ok(ctx, spam::rules));
    r.put("/spam-rules/:id").handler(ctx -> {
      SpamRule body = RequestBodies.read(ctx, SpamRule.class);
      replies.ok(ctx, () -> spam.put(ctx.pathParam("id"), body, AdminApi.caller(ctx), clock.instant()));
    });
    r.get("/groups/:id/spam-actions").handler(ctx -> replies.ok(ctx, () -> spam.actionsIn(ctx.pathParam("id"))));
    r.get("/accounts/:id/staff").handler(ctx -> replies.ok(ctx, () -> new Staff(spam.staffOf(ctx.pathParam("id")))));
    r.put("/accounts/:id/staff").handler(ctx -> {
      Staff body = RequestBodies.read(ctx, Staff.class);
      replies.ok(ctx, () -> new Staff(spam.putStaff(ctx.pathParam("id"), body.names(), AdminApi.caller(ctx), clock.instant())));
    });
  }
}
