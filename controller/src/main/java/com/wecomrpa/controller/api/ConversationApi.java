package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.listen.JdbcListenStore;
import com.wecomrpa.controller.listen.ListenSettings;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.tagging.JdbcRuleStore;
import com.wecomrpa.controller.tagging.RuleChecks;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.ResultSet;
import java.sql.SQLException;
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
  private final Database db;
  private final JdbcListenStore listening;
  private final JdbcRuleStore rules;
  private final Consumer<String> settingsChanged;

  public ConversationApi(Clock clock, Database db, JdbcListenStore listening, JdbcRuleStore rules, Consumer<String> settingsChanged) {
    this.clock = clock;
    this.db = db;
    this.listening = listening;
    this.rules = rules;
    this.settingsChanged = settingsChanged;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/customers/:id/messages").handler(ctx -> {
      Page page = page(ctx);
      replies.ok(ctx, () -> messages("customer_id = ?", page, ctx.pathParam("id")));
    });
    r.get("/customers/:id/tags").handler(ctx -> replies.ok(ctx, () -> tagsOf(ctx.pathParam("id"))));
    r.get("/messages").handler(ctx -> {
      Page page = page(ctx);
      String account = ctx.queryParams().get("accountId");
      String chat = ctx.queryParams().get("chat");
      if (account == null) {
        throw Rejected.invalid("accountId", "accountId is required");
      }
      replies.ok(ctx, () -> chat == null ? messages("account_id = ?", page, account) : messages("account_id = ? AND chat_name = ?", page, account, chat));
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

  /** One page of messages, newest first, and where the next page starts. */
  private Map<String, Object> messages(String where, Page page, Object... args) {
    List<Object> params = new ArrayList<>(List.of(args));
    String sql = "SELECT id, account_id, chat_name, chat_type, group_id, customer_id, sender, mine, kind, body, shown_time, said_at, heard_at, device_id,"
        + " reply_due_at, answered_at, late_at FROM messages WHERE " + where;
    if (page.before() != null) {
      sql += " AND id < ?";
      params.add(page.before());
    }
    String query = sql + " ORDER BY id DESC LIMIT " + (page.limit() + 1);
    List<Map<String, Object>> rows = db.inTransaction(c -> Sql.list(c, query, ConversationApi::message, params.toArray()));
    Map<String, Object> out = new LinkedHashMap<>();
    boolean more = rows.size() > page.limit();
    List<Map<String, Object>> shown = more ? rows.subList(0, page.limit()) : rows;
    out.put("messages", shown);
    out.put("nextBefore", more ? shown.get(shown.size() - 1).get("id") : null);
    return out;
  }

  private static Map<String, Object> message(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", rs.getLong(1));
    m.put("accountId", rs.getString(2));
    m.put("chat", rs.getString(3));
    m.put("chatType", rs.getString(4));
    m.put("groupId", rs.getString(5));
    m.put("customerId", rs.getString(6));
    m.put("sender", rs.getString(7));
    m.put("mine", rs.getBoolean(8));
    m.put("kind", rs.getString(9));
    m.put("text", rs.getString(10));
    m.put("shownTime", rs.getString(11));
    m.put("saidAt", Instant.ofEpochMilli(rs.getLong(12)).toString());
    m.put("heardAt", Instant.ofEpochMilli(rs.getLong(13)).toString());
    m.put("deviceId", rs.getString(14));
    m.put("replyDueAt", at(Sql.nullableLong(rs, "reply_due_at")));
    m.put("answeredAt", at(Sql.nullableLong(rs, "answered_at")));
    m.put("lateAt", at(Sql.nullableLong(rs, "late_at")));
    return m;
  }

  private static String at(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }

  private Map<String, Object> tagsOf(String customerId) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM customers WHERE id = ?", customerId) == 0) {
        throw Rejected.notFound("id", "customer " + customerId + " not found");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("customerId", customerId);
      out.put("tags", Sql.list(c, "SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag", rs -> rs.getString(1), customerId));
      out.put("changes", Sql.list(c, "SELECT tag, change, rule_id, message_id, at FROM tag_changes WHERE customer_id = ? ORDER BY id DESC LIMIT 100", rs -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tag", rs.getString(1));
        m.put("change", rs.getString(2));
        m.put("ruleId", rs.getString(3));
        m.put("messageId", Sql.nullableLong(rs, "message_id"));
        m.put("at", Instant.ofEpochMilli(rs.getLong(5)).toString());
        return m;
      }, customerId));
      return out;
    });
  }
}
