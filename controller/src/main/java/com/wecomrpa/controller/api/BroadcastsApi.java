package com.wecomrpa.controller.api;

import com.wecomrpa.controller.broadcast.Content;
import com.wecomrpa.controller.broadcast.Segment;
import com.wecomrpa.controller.cadence.CadenceCheck;
import com.wecomrpa.controller.sop.SenderContent;
import com.wecomrpa.controller.broadcast.JdbcBroadcastStore;
import com.wecomrpa.controller.broadcast.Target;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.protocol.ContentKind;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * Broadcasts: one message to groups by id or tag, each group once, or to customers by a segment, each
 * customer once in a private chat ({@code ?preview=true}: who it would reach, nothing stored); listed;
 * read with their progress.
 */
public final class BroadcastsApi implements ApiPart {
  record BroadcastRequest(String id, Content content, Target target, String sendAt) {}

  /** How far ahead a broadcast may be scheduled: beyond it, a send time is more likely a typo than a plan. */
  static final java.time.Duration MAX_AHEAD = java.time.Duration.ofDays(30);
  /** A send time this little in the past is a form submitted a moment late: it sends now. */
  static final java.time.Duration LATE_BY = java.time.Duration.ofMinutes(1);

  private final Vertx vertx;
  private final Clock clock;
  private final int maxTextLength;
  private final JdbcBroadcastStore broadcasts;
  private final PlanApi plans;
  private final Runnable kickDispatch;
  private final CadenceCheck cadence;
  private final com.wecomrpa.controller.job.JobInterventions interventions;

  /** {@code kickDispatch} runs on the event loop once a broadcast's jobs are committed. */
  public BroadcastsApi(Vertx vertx, Clock clock, int maxTextLength, JdbcBroadcastStore broadcasts, PlanApi plans, Runnable kickDispatch, CadenceCheck cadence,
      com.wecomrpa.controller.job.JobInterventions interventions) {
    this.cadence = cadence;
    this.interventions = interventions;
    this.vertx = vertx;
    this.clock = clock;
    this.maxTextLength = maxTextLength;
    this.broadcasts = broadcasts;
    this.plans = plans;
    this.kickDispatch = kickDispatch;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/broadcasts").handler(ctx -> {
      BroadcastRequest req = RequestBodies.read(ctx, BroadcastRequest.class);
      if ("true".equals(ctx.queryParams().get("preview"))) {
        replies.ok(ctx, preview(req));
      } else {
        replies.created(ctx, createBroadcast(req));
      }
    });
    r.get("/broadcasts").handler(ctx -> {
      int limit = RestApi.intParam(ctx, "limit", 50, 1, 500);
      replies.ok(ctx, () -> broadcasts.list(limit));
    });
    r.post("/broadcasts/:id/cancel").handler(ctx -> {
      String reason = RequestBodies.optionalReason(ctx);
      var who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> interventions.cancelBroadcast(ctx.pathParam("id"), who, reason, clock.instant()));
    });
    r.get("/broadcasts/:id").handler(ctx -> replies.ok(ctx, () -> broadcasts.find(ctx.pathParam("id"))
        .orElseThrow(() -> Rejected.notFound("id", "broadcast " + ctx.pathParam("id") + " not found"))));
  }

  /** The count and examples a customer broadcast would reach; nothing stored. */
  private Callable<Object> preview(BroadcastRequest req) {
    Target target = checkTarget(req.target());
    if (target.customers() == null) {
      throw Rejected.invalid("target.customers", "a preview is for a customer target (target.customers)");
    }
    if (req.content() != null) {
      checkContent(req.content(), true);
    }
    return () -> broadcasts.preview(target.customers(), clock.instant(), cadence);
  }

  private Callable<Object> createBroadcast(BroadcastRequest req) {
    String id = req.id() == null ? "bc-" + UUID.randomUUID() : Fields.id("id", req.id());
    Target target = checkTarget(req.target());
    Content normalized = checkContent(req.content(), target.customers() != null);
    java.time.Instant now = clock.instant();
    java.time.Instant sendAt = sendAt(req.sendAt(), now);
    return () -> {
      var b = broadcasts.create(id, normalized, target, sendAt, clock.instant());
      // Kicked from the event loop once the jobs are committed.
      vertx.runOnContext(v -> {
        // The broadcast's posts take their groups' days: today's plan posts are ranked again.
        plans.rerankSoon();
        kickDispatch.run();
      });
      return Map.of("id", b.id(), "jobs", b.jobCount());
    };
  }

  /** The send time asked for: null (now), or an instant with its offset from now to {@link #MAX_AHEAD} ahead. */
  static java.time.Instant sendAt(String text, java.time.Instant now) {
    if (text == null) {
      return null;
    }
    java.time.Instant at;
    try {
      at = java.time.OffsetDateTime.parse(text.trim()).toInstant();
    } catch (java.time.DateTimeException e) {
      throw Rejected.invalid("sendAt", "sendAt '" + text + "' must be a date and time with its offset, e.g. 2026-12-08T09:00:00+08:00");
    }
    if (at.isBefore(now.minus(LATE_BY))) {
      throw Rejected.invalid("sendAt", "sendAt " + text + " is in the past: leave it out to send now");
    }
    if (at.isAfter(now.plus(MAX_AHEAD))) {
      throw Rejected.invalid("sendAt", "sendAt " + text + " is more than " + MAX_AHEAD.toDays() + " days ahead");
    }
    return at.isAfter(now) ? at : null;
  }

  private Content checkContent(Content content, boolean toCustomers) {
    if (content == null) {
      throw Rejected.invalid("content", "content is required");
    }
    String kind = content.kind() == null ? ContentKind.TEXT.wireName() : content.kind();
    Content c = new Content(kind, content.text(), content.url(), content.title(), content.description(), content.cover(), content.appId(), content.path(),
        content.name());
    if (toCustomers) {
      SenderContent.checkPrivate("content", c.spec(), Set.of("nickname", "account_name", "stage", "customer_id"));
      Fields.maxLength("content.text", c.text(), maxTextLength);
    } else if (kind.equals(ContentKind.TEXT.wireName())) {
      // A group broadcast's text goes as written, braces and all.
      Fields.maxLength("content.text", Fields.required("content.text", c.text()), maxTextLength);
      for (String other : new String[] {c.url(), c.title(), c.description(), c.cover(), c.appId(), c.path(), c.name()}) {
        if (other != null) {
          throw Rejected.invalid("content", "content: a text carries text only");
        }
      }
    } else {
      SenderContent.check("content", c.spec(), Set.of());
    }
    return c;
  }

  private static Target checkTarget(Target target) {
    if (target == null) {
      throw Rejected.invalid("target", "target is required: groupIds, tag or customers");
    }
    int given = (target.groupIds() == null ? 0 : 1) + (target.tag() == null ? 0 : 1) + (target.customers() == null ? 0 : 1);
    if (given != 1) {
      throw Rejected.invalid("target", "target needs exactly one of groupIds, tag or customers");
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
    } else if (target.tag() != null) {
      Fields.required("target.tag", target.tag());
    } else {
      checkSegment(target.customers());
    }
    return target;
  }

  private static void checkSegment(Segment s) {
    String f = "target.customers";
    boolean any = false;
    for (var e : Map.of("tagsAll", s.tagsAll() == null ? List.<String>of() : s.tagsAll(), "tagsAny", s.tagsAny() == null ? List.<String>of() : s.tagsAny(),
        "tagsNone", s.tagsNone() == null ? List.<String>of() : s.tagsNone(), "accountIds", s.accountIds() == null ? List.<String>of() : s.accountIds()).entrySet()) {
      for (int i = 0; i < e.getValue().size(); i++) {
        Fields.maxLength(f + "." + e.getKey() + "[" + i + "]", Fields.required(f + "." + e.getKey() + "[" + i + "]", e.getValue().get(i)), 64);
      }
      any |= !e.getKey().equals("tagsNone") && !e.getValue().isEmpty();
    }
    for (var e : new String[][] {{"stage", s.stage()}, {"channelCode", s.channelCode()}, {"bought", s.bought()}, {"notBought", s.notBought()}}) {
      if (e[1] != null) {
        Fields.maxLength(f + "." + e[0], Fields.required(f + "." + e[0], e[1]), 128);
        any = true;
      }
    }
    java.time.LocalDate from = date(f + ".addedFrom", s.addedFrom());
    java.time.LocalDate to = date(f + ".addedTo", s.addedTo());
    if (from != null && to != null && to.isBefore(from)) {
      throw Rejected.invalid(f + ".addedTo", f + ".addedTo is before " + f + ".addedFrom");
    }
    if (s.silentDays() != null && (s.silentDays() < 1 || s.silentDays() > 3650)) {
      throw Rejected.invalid(f + ".silentDays", f + ".silentDays must be 1..3650");
    }
    any |= from != null || to != null || s.silentDays() != null;
    if (!any) {
      // Everyone of every account by accident is not a segment: say so rather than send it.
      throw Rejected.invalid(f, f + " needs at least one condition (tags, stage, channelCode, added dates, bought, notBought, silentDays or accountIds)");
    }
  }

  private static java.time.LocalDate date(String f, String text) {
    if (text == null) {
      return null;
    }
    try {
      return java.time.LocalDate.parse(text.trim());
    } catch (java.time.DateTimeException e) {
      throw Rejected.invalid(f, f + " '" + text + "' must be a date YYYY-MM-DD");
    }
  }
}
