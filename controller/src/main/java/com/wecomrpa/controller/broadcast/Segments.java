package com.wecomrpa.controller.broadcast;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The active customers a segment matches, in id order: tags, stage, channel, products and silence
 * in one query; the days they were added in their account's zone.
 */
final class Segments {
  /** A customer the segment reaches, and the account that holds them. */
  record Member(String id, String nickname, String accountId, String stage) {}

  private Segments() {}

  static List<Member> match(Connection c, Segment s, Instant now) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT c.id, c.nickname, c.account_id, c.stage, c.added_at, a.time_zone FROM customers c JOIN accounts a ON a.id = c.account_id"
        + " WHERE c.status = 'active'");
    List<Object> args = new ArrayList<>();
    for (String tag : list(s.tagsAll())) {
      sql.append(" AND EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?)");
      args.add(tag);
    }
    if (!list(s.tagsAny()).isEmpty()) {
      sql.append(" AND EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag IN (").append(marks(s.tagsAny().size())).append("))");
      args.addAll(s.tagsAny());
    }
    if (!list(s.tagsNone()).isEmpty()) {
      sql.append(" AND NOT EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag IN (").append(marks(s.tagsNone().size())).append("))");
      args.addAll(s.tagsNone());
    }
    if (!list(s.accountIds()).isEmpty()) {
      sql.append(" AND c.account_id IN (").append(marks(s.accountIds().size())).append(")");
      args.addAll(s.accountIds());
    }
    if (s.stage() != null) {
      sql.append(" AND c.stage = ?");
      args.add(s.stage());
    }
    if (s.channelCode() != null) {
      sql.append(" AND c.channel_code = ?");
      args.add(s.channelCode());
    }
    String paid = "SELECT 1 FROM orders o JOIN order_products p ON p.order_id = o.id WHERE o.customer_id = c.id AND o.status = 'paid' AND p.product = ?";
    if (s.bought() != null) {
      sql.append(" AND EXISTS (").append(paid).append(")");
      args.add(s.bought());
    }
    if (s.notBought() != null) {
      sql.append(" AND NOT EXISTS (").append(paid).append(")");
      args.add(s.notBought());
    }
    if (s.silentDays() != null) {
      sql.append(" AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.customer_id = c.id AND m.mine = FALSE AND m.said_at >= ?)");
      args.add(now.minus(Duration.ofDays(s.silentDays())).toEpochMilli());
    }
    sql.append(" ORDER BY c.id");
    LocalDate from = s.addedFrom() == null ? null : LocalDate.parse(s.addedFrom());
    LocalDate to = s.addedTo() == null ? null : LocalDate.parse(s.addedTo());
    List<Member> out = new ArrayList<>();
    for (Object[] r : Sql.list(c, sql.toString(), rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
        Sql.nullableLong(rs, "added_at"), rs.getString(6)}, args.toArray())) {
      if (from != null || to != null) {
        if (r[4] == null) {
          continue; // when they were added is not known: no date range includes them
        }
        LocalDate added = LocalDate.ofInstant(Instant.ofEpochMilli((Long) r[4]), ZoneId.of((String) r[5]));
        if ((from != null && added.isBefore(from)) || (to != null && added.isAfter(to))) {
          continue;
        }
      }
      out.add(new Member((String) r[0], (String) r[1], (String) r[2], (String) r[3]));
    }
    return out;
  }

  /** Each matched customer's account name, for the {account_name} variable. */
  static Map<String, String> accountNames(Connection c) throws SQLException {
    Map<String, String> names = new java.util.HashMap<>();
    Sql.list(c, "SELECT id, display_name FROM accounts", rs -> names.put(rs.getString(1), rs.getString(2)));
    return names;
  }

  private static List<String> list(List<String> l) {
    return l == null ? List.of() : l;
  }

  private static String marks(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }
}
