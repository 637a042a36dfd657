package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.GroupReachability;
import com.wecomrpa.controller.group.JdbcGroupStore;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;

/**
 * Groups: created one by one or in batches (the account's group cap holds), listed with today's
 * posts, read one by one. A group the client could not find is handled here too: rename it to its
 * name in the client, retry it, or confirm it gone; {@code GET /groups/{id}/reachability} shows the
 * evidence.
 */
public final class GroupsApi implements ApiPart {
  record Rename(String name, String reason) {}

  record GroupRequest(String id, String name, String accountId, List<String> tags) {}

  record GroupBatchRequest(List<GroupRequest> groups) {}

  private final Vertx vertx;
  private final Clock clock;
  private final JdbcGroupStore groups;
  private final GroupReachability reachability;
  private final Runnable changed;

  /** {@code changed} runs on the event loop after a reachability change (the dispatcher's kick). */
  public GroupsApi(Vertx vertx, Clock clock, JdbcGroupStore groups, GroupReachability reachability, Runnable changed) {
    this.vertx = vertx;
    this.clock = clock;
    this.groups = groups;
    this.reachability = reachability;
    this.changed = changed;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/groups").handler(ctx -> replies.created(ctx, createGroups(List.of(RequestBodies.read(ctx, GroupRequest.class)), true)));
    r.post("/groups/batch").handler(ctx -> replies.created(ctx, createGroups(batch(RequestBodies.read(ctx, GroupBatchRequest.class)), false)));
    r.get("/groups").handler(ctx -> listGroups(ctx, replies));
    r.get("/groups/:id").handler(ctx -> replies.ok(ctx, () -> groups.find(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "group " + ctx.pathParam("id") + " not found"))));
    r.get("/groups/:id/reachability").handler(ctx -> replies.ok(ctx, () -> reachability.status(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "group " + ctx.pathParam("id") + " not found"))));
    r.put("/groups/:id/name").handler(ctx -> {
      Rename req = RequestBodies.read(ctx, Rename.class);
      String name = Fields.maxLength("name", Fields.required("name", req.name()), 200);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> after(reachability.rename(who, ctx.pathParam("id"), name, req.reason(), clock.instant())));
    });
    r.post("/groups/:id/retry").handler(ctx -> {
      String why = RequestBodies.optionalReason(ctx);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> after(reachability.retry(who, ctx.pathParam("id"), why, clock.instant())));
    });
    r.post("/groups/:id/hold").handler(ctx -> {
      String why = RequestBodies.optionalReason(ctx);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> reachability.hold(who, ctx.pathParam("id"), why, clock.instant()));
    });
    r.post("/groups/:id/release").handler(ctx -> {
      String why = RequestBodies.optionalReason(ctx);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> after(reachability.release(who, ctx.pathParam("id"), why, clock.instant())));
    });
    r.post("/groups/:id/gone").handler(ctx -> {
      RequestBodies.Reason req = RequestBodies.read(ctx, RequestBodies.Reason.class);
      String why = Fields.maxLength("reason", Fields.required("reason", req.reason()), 500);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> after(reachability.confirmGone(who, ctx.pathParam("id"), why, clock.instant())));
    });
  }

  private List<GroupRequest> batch(GroupBatchRequest req) {
    if (req.groups() == null || req.groups().isEmpty()) {
      throw Rejected.invalid("groups", "groups must be a non-empty list");
    }
    return req.groups();
  }

  private Callable<Object> createGroups(List<GroupRequest> reqs, boolean single) {
    List<ChatGroup> checked = new ArrayList<>();
    for (int i = 0; i < reqs.size(); i++) {
      GroupRequest g = reqs.get(i);
      String p = single ? "" : "groups[" + i + "].";
      if (g == null) {
        throw Rejected.invalid("groups[" + i + "]", "group must be an object");
      }
      List<String> tags = g.tags() == null ? List.of() : g.tags();
      for (int t = 0; t < tags.size(); t++) {
        Fields.maxLength(p + "tags[" + t + "]", Fields.required(p + "tags[" + t + "]", tags.get(t)), 128);
      }
      checked.add(
          new ChatGroup(
              Fields.id(p + "id", g.id()),
              Fields.maxLength(p + "name", Fields.required(p + "name", g.name()), 200),
              Fields.id(p + "accountId", g.accountId()),
              tags));
    }
    return () -> {
      List<ChatGroup> done = groups.createAll(checked, clock.instant());
      return single ? done.get(0) : Map.of("created", done.size());
    };
  }

  private void listGroups(RoutingContext ctx, Replies replies) {
    var q = ctx.queryParams();
    boolean usage = "true".equals(q.get("usage"));
    replies.ok(ctx, () -> {
      List<ChatGroup> found = groups.list(q.get("accountId"), q.get("tag"), q.get("q"));
      if (!usage) {
        return found;
      }
      var today = groups.postsToday(found, clock.instant());
      List<Map<String, Object>> out = new ArrayList<>();
      for (ChatGroup g : found) {
        Map<String, Object> v = Replies.asMap(g);
        v.put("postsToday", today.get(g.id()).postsToday());
        v.put("cap", today.get(g.id()).cap());
        out.add(v);
      }
      return out;
    });
  }

  private <T> T after(T result) {
    vertx.runOnContext(v -> changed.run());
    return result;
  }
}
