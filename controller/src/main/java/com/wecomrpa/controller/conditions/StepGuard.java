package com.wecomrpa.controller.conditions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a customer plan's step carries to the moment it would go: the step's {@code unless}
 * conditions and the plan's {@code exitOn}, each looked at since the run started ({@code since}).
 * Decided when the step is claimed (a device's message) or called (a webhook step), so a reply that
 * arrives a minute before the step still stops it.
 *
 * <p>Conditions: {@code added} (the customer became a contact: a friend_added event), {@code
 * replied} / {@code reply} (the customer wrote), {@code bought} / {@code purchase} (a paid order),
 * {@code tag:X} (the customer has tag X now), and for exits {@code stage:S} (the customer is in
 * stage S now).
 */
public record StepGuard(long since, List<String> unless, List<String> exitOn) {
  /** What the guard says: the step is skipped (and with {@code exit}, the whole run ends). */
  public record Stop(boolean exit, String reason) {}

  /** How the reason of a stop by an exit begins. */
  public static final String EXIT = "exit on ";

  public static final String ADDED = "added";
  public static final String REPLIED = "replied";
  public static final String BOUGHT = "bought";
  public static final String REPLY = "reply";
  public static final String PURCHASE = "purchase";
  public static final String TAG = "tag:";
  public static final String STAGE = "stage:";

  private static final ObjectMapper JSON = WireCodec.mapper();

  public String write() {
    try {
      return JSON.writeValueAsString(this);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static StepGuard read(String text) {
    try {
      return JSON.readValue(text, StepGuard.class);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable step guard " + text, e);
    }
  }

  /** Whether the stored guard stops the step now; empty when it may go. */
  public static Optional<Stop> check(Connection c, String customerId, String stored) throws SQLException {
    if (stored == null || customerId == null) {
      return Optional.empty();
    }
    StepGuard g = read(stored);
    for (String exit : g.exitOn() == null ? List.<String>of() : g.exitOn()) {
      Optional<String> seen = g.seen(c, customerId, exit);
      if (seen.isPresent()) {
        return Optional.of(new Stop(true, EXIT + exit + ": " + seen.get()));
      }
    }
    for (String unless : g.unless() == null ? List.<String>of() : g.unless()) {
      Optional<String> seen = g.seen(c, customerId, unless);
      if (seen.isPresent()) {
        return Optional.of(new Stop(false, "unless " + unless + ": " + seen.get()));
      }
    }
    return Optional.empty();
  }

  /** What shows the condition holds for the customer since the run started, in words. */
  private Optional<String> seen(Connection c, String customerId, String condition) throws SQLException {
    if (condition.equals(ADDED)) {
      return Sql.one(c, "SELECT occurred_at FROM events WHERE customer_id = ? AND type = 'friend_added' AND occurred_at >= ? ORDER BY occurred_at LIMIT 1",
          rs -> "customer " + customerId + " was added at " + Instant.ofEpochMilli(rs.getLong(1)), customerId, since);
    }
    if (condition.equals(REPLIED) || condition.equals(REPLY)) {
      return Sql.one(c, "SELECT said_at, id FROM messages WHERE customer_id = ? AND mine = FALSE AND chat_type = 'private' AND said_at >= ? ORDER BY said_at LIMIT 1",
          rs -> "customer " + customerId + " wrote at " + Instant.ofEpochMilli(rs.getLong(1)) + " (message " + rs.getLong(2) + ")", customerId, since);
    }
    if (condition.equals(BOUGHT) || condition.equals(PURCHASE)) {
      return Sql.one(c, "SELECT id, ordered_at FROM orders WHERE customer_id = ? AND status = 'paid' AND ordered_at >= ? ORDER BY ordered_at LIMIT 1",
          rs -> "customer " + customerId + " bought (order " + rs.getString(1) + " at " + Instant.ofEpochMilli(rs.getLong(2)) + ")", customerId, since);
    }
    if (condition.startsWith(TAG)) {
      String tag = condition.substring(TAG.length());
      return Sql.one(c, "SELECT added_at FROM customer_tags WHERE customer_id = ? AND tag = ?",
          rs -> "customer " + customerId + " has tag " + tag + " (since " + Instant.ofEpochMilli(rs.getLong(1)) + ")", customerId, tag);
    }
    if (condition.startsWith(STAGE)) {
      String stage = condition.substring(STAGE.length());
      return Sql.one(c, "SELECT stage FROM customers WHERE id = ? AND stage = ?", rs -> "customer " + customerId + " is in stage " + stage, customerId, stage);
    }
    throw new IllegalStateException("unknown condition " + condition);
  }
}
