package com.wecomrpa.controller.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Outbound event webhooks: subscriptions (a URL, the event types it wants, a signing secret shown
 * once) and the outbox. An event is written to the outbox in the transaction that makes it happen
 * (an alert raised, a job ending), once per subscription, so a crash neither loses nor doubles it;
 * the webhook deliveries post it.
 */
public final class EventOutbox {
  /** Event types a subscription may ask for. */
  public static final Set<String> TYPES = Set.of("alert", "job.succeeded", "job.failed", "job.unknown", "stage.changed");

  /** A subscription as stored (the secret never leaves after creation). */
  public record Subscription(String id, String url, List<String> events, String createdAt) {}

  /** A new subscription, with its secret: the only time it is shown. */
  public record Created(String id, String url, List<String> events, String secret) {}

  public record SubscriptionSpec(String url, List<String> events) {}

  private static final TypeReference<List<String>> LIST = new TypeReference<>() {};
  private static final ObjectMapper JSON = WireCodec.mapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final AuditLog audit;

  public EventOutbox(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  /**
   * A condition, for another package's statement, that holds while no webhook subscribes to events:
   * work that would add events can then be done in a statement of its own without calling {@link #add}.
   */
  public static final String NO_SUBSCRIBERS = "NOT EXISTS (SELECT 1 FROM webhook_subscriptions)";

  /** Writes {@code type} to every subscription that wants it; {@code eventId} makes it once. */
  public static void add(Connection c, String type, String eventId, Map<String, Object> data, Instant now) throws SQLException {
    List<String[]> subs = Sql.list(c, "SELECT id, events FROM webhook_subscriptions", rs -> new String[] {rs.getString(1), rs.getString(2)});
    if (subs.isEmpty()) {
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", eventId);
    body.put("type", type);
    body.put("at", now.toString());
    body.put("data", data);
    String text;
    try {
      text = JSON.writeValueAsString(body);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
    for (String[] s : subs) {
      if (!read(s[1]).contains(type)) {
        continue;
      }
      if (Sql.count(c, "SELECT COUNT(*) FROM webhook_deliveries WHERE subscription_id = ? AND event_id = ?", s[0], eventId) == 0) {
        Sql.update(c, "INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, body, state, attempts, next_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
            s[0], eventId, type, text, now.toEpochMilli(), now.toEpochMilli());
      }
    }
  }

  /** A job that ended (job.succeeded, job.failed, job.unknown), once per {@code eventId}. */
  public static void jobEnded(Connection c, String eventId, String jobId, String action, String accountId, String groupId, String customerId, String deviceId,
      String state, String reason, Instant now) throws SQLException {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("jobId", jobId);
    data.put("action", action);
    data.put("accountId", accountId);
    data.put("groupId", groupId);
    data.put("customerId", customerId);
    data.put("deviceId", deviceId);
    data.put("state", state);
    data.put("reason", reason);
    add(c, "job." + state.toLowerCase(java.util.Locale.ROOT), eventId, data, now);
  }

  public Created subscribe(SubscriptionSpec spec, Caller actor, Instant now) {
    if (spec == null) {
      throw Rejected.invalid("body", "body must be {url, events}");
    }
    String url = Fields.maxLength("url", Fields.required("url", spec.url()), 1000);
    if (!url.matches("https?://\\S+")) {
      throw Rejected.invalid("url", "url must be an http(s) URL");
    }
    if (spec.events() == null || spec.events().isEmpty()) {
      throw Rejected.invalid("events", "events must name at least one of " + new java.util.TreeSet<>(TYPES));
    }
    for (int i = 0; i < spec.events().size(); i++) {
      if (!TYPES.contains(spec.events().get(i))) {
        throw Rejected.invalid("events[" + i + "]", "events[" + i + "] '" + spec.events().get(i) + "' must be one of " + new java.util.TreeSet<>(TYPES));
      }
    }
    byte[] raw = new byte[24];
    RANDOM.nextBytes(raw);
    String secret = "whsec_" + HexFormat.of().formatHex(raw);
    String id = "wh-" + HexFormat.of().formatHex(raw, 0, 5);
    String events;
    try {
      events = JSON.writeValueAsString(spec.events());
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
    return db.inTransaction(c -> {
      Sql.update(c, "INSERT INTO webhook_subscriptions (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)",
          id, url, events, secret, now.toEpochMilli());
      // The secret is not audited: the audit log is readable by every admin, the secret only by its receiver.
      audit.record(c, actor, "webhook.subscribe", "webhooks/" + id, null, url + " " + spec.events(), null, now);
      return new Created(id, url, List.copyOf(spec.events()), secret);
    });
  }

  public List<Subscription> list() {
    return db.inTransaction(c -> Sql.list(c, "SELECT id, url, events, created_at FROM webhook_subscriptions ORDER BY id",
        rs -> new Subscription(rs.getString(1), rs.getString(2), read(rs.getString(3)), Instant.ofEpochMilli(rs.getLong(4)).toString())));
  }

  public Map<String, Object> delete(String id, Caller actor, Instant now) {
    return db.inTransaction(c -> {
      if (Sql.update(c, "DELETE FROM webhook_subscriptions WHERE id = ?", id) == 0) {
        throw Rejected.notFound("id", "webhook " + id + " not found");
      }
      Sql.update(c, "UPDATE webhook_deliveries SET state = 'dropped' WHERE subscription_id = ? AND state = 'pending'", id);
      audit.record(c, actor, "webhook.delete", "webhooks/" + id, null, null, null, now);
      return Map.of("deleted", id);
    });
  }

  /** Recent deliveries of one subscription, newest first: what was sent, how it went. */
  public List<Map<String, Object>> deliveries(String id, int limit) {
    return db.inTransaction(c -> Sql.list(c,
        "SELECT event_id, event_type, state, attempts, last_status, last_error, created_at FROM webhook_deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT " + limit,
        rs -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("eventId", rs.getString(1));
          m.put("type", rs.getString(2));
          m.put("state", rs.getString(3));
          m.put("attempts", rs.getInt(4));
          m.put("lastStatus", rs.getObject(5));
          m.put("lastError", rs.getString(6));
          m.put("createdAt", Instant.ofEpochMilli(rs.getLong(7)).toString());
          return m;
        }, id));
  }

  private static List<String> read(String s) {
    try {
      return JSON.readValue(s, LIST);
    } catch (Exception e) {
      return List.of();
    }
  }
}
