package com.wecomrpa.controller.customer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one writer of {@code customers}, their tags and the tag changes. Every method runs in the
 * caller's transaction: an intake that refuses its batch rolls back what was written here.
 */
public final class Customers {
  private static final TypeReference<Map<String, String>> FIELDS = new TypeReference<>() {};
  private static final ObjectMapper JSON = WireCodec.mapper();

  private Customers() {}

  public static Optional<Customer> find(Connection c, String id) throws SQLException {
    return Sql.one(
        c,
        "SELECT id, account_id, nickname, stage, status, fields FROM customers WHERE id = ?",
        rs -> {
          Map<String, String> fields;
          try {
            fields = JSON.readValue(rs.getString(6), FIELDS);
          } catch (Exception ex) {
            fields = new HashMap<>();
          }
          return new Customer(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), fields);
        },
        id);
  }

  /** The account's customer shown under this nickname (the first by id when several share it). */
  public static Optional<String> named(Connection c, String accountId, String nickname) throws SQLException {
    if (nickname == null || nickname.isBlank()) {
      return Optional.empty();
    }
    return Sql.one(c, "SELECT id FROM customers WHERE account_id = ? AND nickname = ? ORDER BY id LIMIT 1", rs -> rs.getString(1), accountId, nickname);
  }

  /** A new customer; {@code addedAt} is when they became the account's (null: not known yet). */
  public static void insert(Connection c, Customer cu, Instant addedAt, Instant now) throws SQLException {
    Sql.update(c, "INSERT INTO customers (id, account_id, nickname, stage, status, fields, created_at, updated_at, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        cu.id(), cu.accountId(), cu.nickname(), cu.stage(), cu.status(), write(cu.fields()), now.toEpochMilli(), now.toEpochMilli(),
        addedAt == null ? null : addedAt.toEpochMilli());
  }

  /** Nickname, stage, status and fields as given. */
  public static void update(Connection c, Customer cu, Instant now) throws SQLException {
    Sql.update(c, "UPDATE customers SET nickname = ?, stage = ?, status = ?, fields = ?, updated_at = ? WHERE id = ?",
        cu.nickname(), cu.stage(), cu.status(), write(cu.fields()), now.toEpochMilli(), cu.id());
  }

  /** A handover: the customer is now the receiving account's, with their tags, stage and history (all keyed by the customer). */
  public static boolean moveTo(Connection c, String id, String from, String to, Instant now) throws SQLException {
    return Sql.update(c, "UPDATE customers SET account_id = ?, updated_at = ? WHERE id = ? AND account_id = ?", to, now.toEpochMilli(), id, from) == 1;
  }

  public static void markAdded(Connection c, String id, Instant at) throws SQLException {
    Sql.update(c, "UPDATE customers SET added_at = ? WHERE id = ?", at.toEpochMilli(), id);
  }

  /** The channel that brought the customer: the first code seen keeps the credit. */
  public static void attribute(Connection c, String id, String channelCode, String source) throws SQLException {
    Sql.update(c, "UPDATE customers SET channel_code = ?, source = ? WHERE id = ? AND channel_code IS NULL", channelCode, source, id);
  }

  public static void moveStage(Connection c, String id, String stage, Instant now) throws SQLException {
    Sql.update(c, "UPDATE customers SET stage = ?, stage_since = ?, updated_at = ? WHERE id = ?", stage, now.toEpochMilli(), now.toEpochMilli(), id);
  }

  /** Tags the customer (once) and writes the change with what did it; false when the tag was there already. */
  public static boolean addTag(Connection c, String customerId, String tag, String by, Long messageId, Instant now) throws SQLException {
    if (Sql.count(c, "SELECT COUNT(*) FROM customer_tags WHERE customer_id = ? AND tag = ?", customerId, tag) > 0) {
      return false;
    }
    Sql.update(c, "INSERT INTO customer_tags (customer_id, tag, added_at) VALUES (?, ?, ?)", customerId, tag, now.toEpochMilli());
    Sql.update(c, "INSERT INTO tag_changes (customer_id, tag, change, rule_id, message_id, at) VALUES (?, ?, 'added', ?, ?, ?)",
        customerId, tag, by, messageId, now.toEpochMilli());
    return true;
  }

  /** Takes the tag off and writes the change; false when the customer did not have it. */
  public static boolean removeTag(Connection c, String customerId, String tag, String by, Long messageId, Instant now) throws SQLException {
    if (Sql.update(c, "DELETE FROM customer_tags WHERE customer_id = ? AND tag = ?", customerId, tag) == 0) {
      return false;
    }
    Sql.update(c, "INSERT INTO tag_changes (customer_id, tag, change, rule_id, message_id, at) VALUES (?, ?, 'removed', ?, ?, ?)",
        customerId, tag, by, messageId, now.toEpochMilli());
    return true;
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Erasure (PIPL): the customer's tags, tag history and row go; an id a later event brings starts anew. */
  public static int erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    Sql.update(c, "DELETE FROM customer_tags WHERE customer_id = ?", customerId);
    Sql.update(c, "DELETE FROM tag_changes WHERE customer_id = ?", customerId);
    return Sql.update(c, "DELETE FROM customers WHERE id = ?", customerId);
  }

  public static boolean exists(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM customers WHERE id = ?", customerId) > 0;
  }
}
