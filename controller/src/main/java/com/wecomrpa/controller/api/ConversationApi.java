package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.listen.JdbcListenStore;
import com.wecomrpa.controller.listen.ListenSettings;
import com.wecomrpa.controller.customer.CustomerQueries;
import com.wecomrpa.controller.listen.ConversationQueries;
import com.wecomrpa.controller.tagging.JdbcRuleStore;
import com.wecomrpa.controller.tagging.RuleChecks;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Hearing customers: the messages heard per customer and per chat (paged, newest first), each
 * account's listen settings and its devices' listens, the tag library, keyword rules, the reply
 * library and reply-time rules. Every change is checked and audited.
 */
public final class ConversationApi implements ApiPart {
  private final Clock clock;
  private final ConversationQueries conversations;
  private final CustomerQueries customers;
  private final JdbcListenStore listening;
  private final JdbcRuleStore rules;
  private final Consumer<String> settingsChanged;

  public ConversationApi(Clock clock, ConversationQueries conversations, CustomerQueries customers, JdbcListenStore listening, JdbcRuleStore rules, Consumer<String> settingsChanged) {
    this.clock = clock;
    this.conversations = conversations;
    this.customers = customers;
    this.listening = listening;
    this.rules = rules;
    this.settingsChanged = settingsChanged;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/customers/:id/messages").handler(ctx -> {
      Page page = page(ctx);
      replies.ok(ctx, () -> conversations.ofCustomer(ctx.pathParam("id"), page.before(), page.limit()));
    });
    r.get("/customers").handler(ctx -> {
      var q = ctx.queryParams();
      int limit = RestApi.intParam(ctx, "limit", 50, 1, 500);
      int offset = RestApi.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
      String status = q.get("status");
      if (status != null && !java.util.Set.of("active", "deleted", "blocked").contains(status)) {
        throw com.wecomrpa.controller.input.Rejected.invalid("status", "status must be active, deleted or blocked");
      }
      var filter = new CustomerQueries.Filter(q.get("q"), blank(q.get("tag")), blank(q.get("stage")), blank(q.get("accountId")), blank(q.get("channelCode")), status);
      replies.ok(ctx, () -> customers.search(filter, limit, offset));
    });
    r.get("/customers/:id/tags").handler(ctx -> replies.ok(ctx, () -> customers.tagsOf(ctx.pathParam("id"))));
    r.get("/messages").handler(ctx -> {
      Page page = page(ctx);
      String account = ctx.queryParams().get("accountId");
      String chat = ctx.queryParams().get("chat");
      if (account == null) {
        throw Rejected.invalid("accountId", "accountId is required");
      }
      replies.ok(ctx, () -> conversations.ofAccount(account, chat, page.before(), page.limit()));
    });
    r.get("/accounts/:id/listening").handler(ctx -> replies.ok(ctx, () -> {
      ListenSettings s = listening.find(ctx.pathParam("id")).orElseThrow(() -> Rejected.notFound("id", "account " + ctx.pathParam("id") + " not found"));
      Map<String, Object> v = new LinkedHashMap<>(Replies.asMap(s));
      v.put("recentListens", listening.runs(ctx.pathParam("id"), 200));
      return v;
    }));
    r.put("/accounts/:id/listening").handler(ctx -> {
      JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? null : jsonBody(ctx);
      String reason = body == null ? null : (String) body.remove("reason");
      ListenSettings s = ListenSettings.from(body);
      replies.ok(ctx, () -> {
        ListenSettings saved = listening.put(ctx.pathParam("id"), s, AdminApi.caller(ctx), reason, clock.instant());
        settingsChanged.accept(ctx.pathParam("id"));
        return saved;
      });
    });
    r.get("/tags").handler(ctx -> replies.ok(ctx, rules::tags));
    r.put("/tags/:name").handler(ctx -> {
      JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? new JsonObject() : jsonBody(ctx);
      Object d = body.getValue("description");
      if (d != null && !(d instanceof String)) {
        throw Rejected.invalid("description", "description must be text");
      }
      replies.ok(ctx, () -> rules.putTag(ctx.pathParam("name"), (String) d, AdminApi.caller(ctx), clock.instant()));
    });
    r.get("/keyword-rules").handler(ctx -> replies.ok(ctx, rules::rules));
    r.put("/keyword-rules/:id").handler(ctx -> {
      RuleChecks.RuleSpec spec = RequestBodies.read(ctx, RuleChecks.RuleSpec.class);
      sameId(ctx, spec.id());
      replies.ok(ctx, () -> rules.putRule(ctx.pathParam("id"), spec, AdminApi.caller(ctx), clock.instant()));
    });
    r.delete("/keyword-rules/:id").handler(ctx -> replies.ok(ctx, () -> rules.delete("keyword-rule", ctx.pathParam("id"), AdminApi.caller(ctx), clock.instant())));
    r.get("/replies").handler(ctx -> replies.ok(ctx, rules::replies));
    r.put("/replies/:id").handler(ctx -> {
      RuleChecks.Reply reply = RequestBodies.read(ctx, RuleChecks.Reply.class);
      sameId(ctx, reply.id());
      replies.ok(ctx, () -> rules.putReply(ctx.pathParam("id"), reply, AdminApi.caller(ctx), clock.instant()));
    });
    r.delete("/replies/:id").handler(ctx -> replies.ok(ctx, () -> rules.delete("reply", ctx.pathParam("id"), AdminApi.caller(ctx), clock.instant())));
    r.get("/reply-time-rules").handler(ctx -> replies.ok(ctx, rules::replyTimeRules));
    r.put("/reply-time-rules/:id").handler(ctx -> {
      RuleChecks.ReplyTimeRule rule = RequestBodies.read(ctx, RuleChecks.ReplyTimeRule.class);
      sameId(ctx, rule.id());
      replies.ok(ctx, () -> rules.putReplyTime(ctx.pathParam("id"), rule, AdminApi.caller(ctx), clock.instant()));
    });
    r.delete("/reply-time-rules/:id").handler(ctx -> replies.ok(ctx, () -> rules.delete("reply-time-rule", ctx.pathParam("id"), AdminApi.caller(ctx), clock.instant())));
  }

  private record Page(int limit, Long before) {}

  private static Page page(RoutingContext ctx) {
    int limit = RestApi.intParam(ctx, "limit", 50, 1, 500);
    String before = ctx.queryParams().get("before");
    if (before == null) {
      return new Page(limit, null);
    }
    try {
      return new Page(limit, Long.parseLong(before));
    } catch (NumberFormatException e) {
      throw Rejected.invalid("before", "before must be a message id (the nextBefore of the previous page)");
    }
  }

  private static void sameId(RoutingContext ctx, String bodyId) {
    if (bodyId != null && !bodyId.equals(ctx.pathParam("id"))) {
      throw Rejected.invalid("id", "id in the body (" + bodyId + ") differs from the path (" + ctx.pathParam("id") + ")");
    }
  }

  private static JsonObject jsonBody(RoutingContext ctx) {
    try {
      return ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw Rejected.invalid("body", "body must be a JSON object");
    }
  }

  private static String blank(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }
}
