package com.wecomrpa.controller.api;

import com.wecomrpa.protocol.ContentKind;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.account.Platform;
import com.wecomrpa.controller.broadcast.Content;
import com.wecomrpa.controller.broadcast.JdbcBroadcastStore;
import com.wecomrpa.controller.broadcast.Target;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.job.Jobs;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/** The JSON API under {@code /api/v1}. Handlers validate on the event loop and store on workers. */
public final class RestApi {
  record AccountRequest(String id, String platform, String displayName, String timeZone, List<String> tags) {}

  record GroupRequest(String id, String name, String accountId, List<String> tags) {}

  record GroupBatchRequest(List<GroupRequest> groups) {}

  record BroadcastRequest(String id, Content content, Target target) {}

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final int maxTextLength;
  private final Clock clock;
  private final JdbcAccountStore accounts;
  private final JdbcGroupStore groups;
  private final JdbcBroadcastStore broadcasts;
  private final Jobs jobs;
  private final Runnable kickDispatch;
  private final com.wecomrpa.controller.evidence.Screenshots screenshots;
  private final Replies replies;
  private final List<ApiPart> parts;
  private final PlanApi plans;

  public RestApi(
      Vertx vertx,
      WorkerExecutor workers,
      int maxTextLength,
      Clock clock,
      JdbcAccountStore accounts,
      JdbcGroupStore groups,
      JdbcBroadcastStore broadcasts,
      Jobs jobs,
      com.wecomrpa.controller.evidence.Screenshots screenshots,
      Runnable kickDispatch,
      PlanApi plans,
      AdminApi admin,
      LimitsApi limits,
      ScriptsApi scripts,
      GroupsApi groupReachability,
      DevicesApi devices,
      ConversationApi conversations,
      JourneyApi journeys,
      OverviewApi overview,
      GroupCommit durable) {
    this.vertx = vertx;
    this.workers = workers;
    this.maxTextLength = maxTextLength;
    this.clock = clock;
    this.accounts = accounts;
    this.groups = groups;
    this.broadcasts = broadcasts;
    this.jobs = jobs;
    this.screenshots = screenshots;
    this.kickDispatch = kickDispatch;
    this.replies = new Replies(workers, durable);
    this.plans = plans;
    this.parts = List.of(new JobsApi(workers, jobs.queries(), screenshots), plans, admin, limits, scripts, groupReachability, devices, conversations, journeys, overview);
  }

  public Router router() {
    Router r = Router.router(vertx);
    r.get("/health").handler(ctx -> send(ctx, 200, Map.of("status", "up")));
    r.get("/openapi.json").handler(ctx -> ctx.response().putHeader("content-type", "application/json; charset=utf-8").end(OpenApiDocument.json()));

    r.post("/accounts").handler(ctx -> created(ctx, createAccount(RequestBodies.read(ctx, AccountRequest.class))));
    r.get("/accounts").handler(ctx -> ok(ctx, accounts::list));
    r.get("/accounts/:id").handler(ctx -> ok(ctx, () -> accounts.find(ctx.pathParam("id")).orElseThrow(() -> notFound("account", ctx.pathParam("id")))));

    r.post("/groups").handler(ctx -> created(ctx, createGroups(List.of(RequestBodies.read(ctx, GroupRequest.class)), true)));
    r.post("/groups/batch").handler(ctx -> created(ctx, createGroups(batch(RequestBodies.read(ctx, GroupBatchRequest.class)), false)));
    r.get("/groups").handler(this::listGroups);
    r.get("/groups/:id").handler(ctx -> ok(ctx, () -> groups.find(ctx.pathParam("id")).orElseThrow(() -> notFound("group", ctx.pathParam("id")))));

    r.post("/broadcasts").handler(ctx -> created(ctx, createBroadcast(RequestBodies.read(ctx, BroadcastRequest.class))));
    r.get("/broadcasts").handler(ctx -> {
      int limit = intParam(ctx, "limit", 50, 1, 500);
      ok(ctx, () -> broadcasts.list(limit));
    });
    r.get("/broadcasts/:id").handler(ctx -> ok(ctx, () -> broadcasts.find(ctx.pathParam("id")).orElseThrow(() -> notFound("broadcast", ctx.pathParam("id")))));

    parts.forEach(p -> p.mount(r, replies));
    r.route().failureHandler(replies::fail);
    return r;
  }

  private Callable<Account> createAccount(AccountRequest req) {
    String id = Fields.id("id", req.id());
    String platform = Fields.required("platform", req.platform()).toLowerCase(Locale.ROOT);
    if (!List.of("wecom", "wechat").contains(platform)) {
      throw Rejected.invalid("platform", "platform must be one of wecom, wechat");
    }
    Platform.valueOf(platform.toUpperCase(Locale.ROOT));
    String name = Fields.maxLength("displayName", Fields.required("displayName", req.displayName()), 100);
    String zone = Fields.required("timeZone", req.timeZone());
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw Rejected.invalid("timeZone", "timeZone " + zone + " is not a known time zone (e.g. Asia/Shanghai)");
    }
    List<String> tags = req.tags() == null ? List.of() : req.tags();
    for (int t = 0; t < tags.size(); t++) {
      Fields.maxLength("tags[" + t + "]", Fields.required("tags[" + t + "]", tags.get(t)), 128);
    }
    Account a = new Account(id, platform, name, zone, "active", 0, List.copyOf(new java.util.LinkedHashSet<>(tags)), clock.instant());
    return () -> accounts.create(a);
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

  private void listGroups(RoutingContext ctx) {
    var q = ctx.queryParams();
    boolean usage = "true".equals(q.get("usage"));
    ok(ctx, () -> {
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

  static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw Rejected.invalid(name, name + " must be a number in " + min + ".." + max);
    }
  }

  private static Rejected notFound(String what, String id) {
    return Rejected.notFound("id", what + " " + id + " not found");
  }

  private <T> void ok(RoutingContext ctx, Callable<T> work) {
    replies.ok(ctx, work);
  }

  private <T> void created(RoutingContext ctx, Callable<T> work) {
    replies.created(ctx, work);
  }

  private void send(RoutingContext ctx, int status, Object body) {
    replies.send(ctx, status, body);
  }
}
