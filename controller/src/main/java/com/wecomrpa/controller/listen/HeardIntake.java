package com.wecomrpa.controller.listen;

import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.members.GroupSizes;
import com.wecomrpa.controller.members.MemberLine;
import com.wecomrpa.controller.members.Membership;
import com.wecomrpa.controller.spam.AntiSpam;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.tagging.Tagger;
import com.wecomrpa.protocol.AgentHeard;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stores what a listen read, in one transaction: each message once per account (by the client's
 * message id, or where the client shows none, by chat, sender, time shown, text and order among
 * equal ones), with the group or customer it belongs to; an answer from the account marks the
 * customer messages before it answered; new customer messages go through the keyword rules
 * (tags, plans, replies) and, when a reply-time rule covers the customer, get a time to be
 * answered by.
 */
public final class HeardIntake {
  /** The kind of a line the client writes itself (someone joined, left, was added). */
  static final String SYSTEM = "system";

  /** What one listen brought. */
  public record Result(int chats, int lines, int fresh, int freshFromCustomers, Tagger.Effects effects, Membership.Tally members) {}

  private final Database db;
  private final Tagger tagger;

  private final com.wecomrpa.controller.stage.StageEngine stages;

  private final Membership membership;
  private final AntiSpam spam;

  /**
   * {@code stages} re-decides the customers who wrote: tags and days since their last message are
   * facts; {@code membership} takes the lines the client writes itself (joins, leaves, friends added)
   * and the friend requests the listen saw.
   */
  public HeardIntake(Database db, Tagger tagger, com.wecomrpa.controller.stage.StageEngine stages, Membership membership, AntiSpam spam) {
    this.stages = stages;
    this.membership = membership;
    this.spam = spam;
    this.db = db;
    this.tagger = tagger;
  }

  /** {@code accountId} is the one the device holds (from the board, not from the message). */
  public Result apply(String accountId, AgentHeard h, Instant now) {
    return db.inTransaction(c -> {
      int lines = 0;
      int fresh = 0;
      List<Tagger.Heard> customers = new ArrayList<>();
      Map<Long, Long> saidAt = new HashMap<>();
      Membership.Tally members = new Membership.Tally();
      List<List<String>> keys = h.chats().stream().map(HeardIntake::keys).toList();
      for (int i = 0; i < h.chats().size(); i++) {
        AgentHeard.Chat chat = h.chats().get(i);
        lines += chat.messages().size();
        fresh += chat(c, accountId, h.deviceId(), chat, keys.get(i), customers, saidAt, members, now);
      }
      membership.requests(c, accountId, h.requests(), now, members);
      List<AntiSpam.Said> inGroups = customers.stream().filter(m -> m.groupId() != null)
          .map(m -> new AntiSpam.Said(m.messageId(), accountId, m.groupId(), m.sender(), m.kind(), m.text(), saidAt.getOrDefault(m.messageId(), now.toEpochMilli())))
          .toList();
      members.removalsQueued += spam.check(c, inGroups, now);
      Tagger.Effects effects = tagger.apply(c, customers, now);
      java.util.Set<String> wrote = new java.util.TreeSet<>();
      customers.stream().filter(m -> m.customerId() != null).forEach(m -> wrote.add(m.customerId()));
      stages.evaluateCustomers(c, wrote, now, "message");
      for (Tagger.Heard m : customers) {
        dueBy(c, m);
      }
      for (int i = 0; i < h.chats().size(); i++) {
        AgentHeard.Chat chat = h.chats().get(i);
        answered(c, accountId, chat, keys.get(i));
        Sql.update(c, "UPDATE messages SET checked_at = ? WHERE account_id = ? AND chat_name = ? AND mine = FALSE AND answered_at IS NULL"
            + " AND reply_due_at IS NOT NULL", now.toEpochMilli(), accountId, chat.name());
      }
      int chatsRead = (int) h.chats().stream().filter(ch -> ch.error() == null).count();
      String error = h.error() != null ? h.error() : h.chats().stream().filter(ch -> ch.error() != null)
          .map(ch -> ch.name() + ": " + ch.error()).findFirst().orElse(null);
      if (error != null && error.length() > 1000) {
        error = error.substring(0, 1000);
      }
      int updated = Sql.update(c, "UPDATE listen_runs SET started_at = ?, finished_at = ?, chats_read = ?, lines_read = ?, new_messages = ?, error = ?"
          + " WHERE id = ?", h.startedAt().toEpochMilli(), h.finishedAt().toEpochMilli(), chatsRead, lines, fresh, error, h.listenId());
      if (updated == 0) {
        // Asked by a controller that has since restarted, or by another node: recorded all the same.
        Sql.update(c, "INSERT INTO listen_runs (id, account_id, device_id, asked_at, started_at, finished_at, chats_read, lines_read, new_messages, error)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", h.listenId(), accountId, h.deviceId(), h.startedAt().toEpochMilli(), h.startedAt().toEpochMilli(),
            h.finishedAt().toEpochMilli(), chatsRead, lines, fresh, error);
      }
      return new Result(h.chats().size(), lines, fresh, customers.size(), effects, members);
    });
  }

  private int chat(Connection c, String accountId, String deviceId, AgentHeard.Chat chat, List<String> keys, List<Tagger.Heard> customers,
      Map<Long, Long> saidAtById, Membership.Tally members, Instant now) throws SQLException {
    String groupId = Sql.one(c, "SELECT id FROM chat_groups WHERE account_id = ? AND name = ? ORDER BY id LIMIT 1", rs -> rs.getString(1), accountId, chat.name())
        .orElse(null);
    String type = chat.type() == null || chat.type().isBlank() ? (groupId != null ? "group" : "private") : chat.type();
    String chatCustomer = type.equals("private") ? customerNamed(c, accountId, chat.name()) : null;
    Map<String, String> senders = new HashMap<>();
    // A message another transaction stored meanwhile is skipped by the insert where the database can, else checked first.
    String insert = db.dialect().insertUnlessTaken("INSERT INTO messages (account_id, dedupe_key, chat_name, chat_type, group_id, customer_id, sender, mine,"
        + " kind, body, shown_time, said_at, heard_at, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "account_id, dedupe_key");
    int fresh = 0;
    for (int i = 0; i < chat.messages().size(); i++) {
      AgentHeard.Line line = chat.messages().get(i);
      String key = keys.get(i);
      String customer = line.mine() || SYSTEM.equals(line.kind()) ? null : type.equals("private") ? chatCustomer
          : senders.computeIfAbsent(line.sender(), s -> customerNamedQuietly(c, accountId, s));
      long saidAt = line.at() != null ? line.at() : now.toEpochMilli();
      boolean known = !db.dialect().skipsTakenKeys()
          && Sql.count(c, "SELECT COUNT(*) FROM messages WHERE account_id = ? AND dedupe_key = ?", accountId, key) > 0;
      int inserted = known ? 0 : Sql.update(c, insert,
          accountId, key, cut(chat.name(), 200), type, type.equals("group") ? groupId : null, customer, cut(line.sender() == null ? "" : line.sender(), 200),
          line.mine(), cut(line.kind(), 16), line.text() == null ? "" : line.text(), cut(line.shownTime() == null ? "" : line.shownTime(), 32), saidAt,
          now.toEpochMilli(), deviceId);
      if (inserted == 0) {
        continue;
      }
      fresh++;
      if (SYSTEM.equals(line.kind())) {
        // The client's own line (a join, a leave, a friend added): an event, not a customer's words.
        Optional<MemberLine> said = MemberLine.parse(line.text());
        if (said.isPresent()) {
          membership.heard(c, accountId, type.equals("group") ? groupId : null, said.get(), key, Instant.ofEpochMilli(saidAt), now, members);
        }
      } else if (!line.mine()) {
        long id = Sql.one(c, "SELECT id FROM messages WHERE account_id = ? AND dedupe_key = ?", rs -> rs.getLong(1), accountId, key).orElseThrow();
        customers.add(new Tagger.Heard(id, accountId, type, chat.name(), groupId, customer, line.sender(), line.kind(), line.text()));
        saidAtById.put(id, saidAt);
      }
    }
    if (chat.members() != null && groupId != null && type.equals("group")) {
      GroupSizes.counted(c, groupId, chat.members(), now);
    }
    return fresh;
  }

  /** Customer messages before the account's last message in this read are answered (by it). */
  private static void answered(Connection c, String accountId, AgentHeard.Chat chat, List<String> keys) throws SQLException {
    AgentHeard.Line lastMine = null;
    for (AgentHeard.Line l : chat.messages()) {
      if (l.mine()) {
        lastMine = l;
      }
    }
    if (lastMine == null || lastMine.at() == null) {
      // No exact time on screen: the customer messages read before it in this chat are answered.
      if (lastMine != null) {
        for (int i = 0; chat.messages().get(i) != lastMine; i++) {
          if (!chat.messages().get(i).mine()) {
            Sql.update(c, "UPDATE messages SET answered_at = heard_at WHERE account_id = ? AND dedupe_key = ? AND answered_at IS NULL", accountId, keys.get(i));
          }
        }
      }
      return;
    }
    Sql.update(c, "UPDATE messages SET answered_at = ? WHERE account_id = ? AND chat_name = ? AND mine = FALSE AND answered_at IS NULL AND said_at <= ?",
        lastMine.at(), accountId, chat.name(), lastMine.at());
  }

  /** When a reply-time rule covers the sender (by tag or stage), the time to be answered by. */
  private static void dueBy(Connection c, Tagger.Heard m) throws SQLException {
    if (m.customerId() == null) {
      return;
    }
    Long minutes = Sql.one(c, "SELECT MIN(r.minutes) AS least FROM reply_time_rules r WHERE r.enabled = TRUE AND ("
            + " r.tag IN (SELECT tag FROM customer_tags WHERE customer_id = ?) OR r.stage = (SELECT stage FROM customers WHERE id = ?))",
        rs -> Sql.nullableLong(rs, "least"), m.customerId(), m.customerId()).orElse(null);
    if (minutes != null) {
      Sql.update(c, "UPDATE messages SET reply_due_at = said_at + ? WHERE id = ?", minutes * 60_000L, m.messageId());
    }
  }

  /**
   * A message's identity: the client's own id when it shows one; else its chat, sender, side, kind,
   * time shown and text, numbered among equal ones in the same read (two "好的" in a row are two).
   */
  static List<String> keys(AgentHeard.Chat chat) {
    Map<String, Integer> seen = new HashMap<>();
    return chat.messages().stream().map(l -> key(chat.name(), l, seen)).toList();
  }

  private static String key(String chat, AgentHeard.Line line, Map<String, Integer> seen) {
    if (line.clientId() != null && !line.clientId().isBlank()) {
      return "id:" + cut(line.clientId(), 190);
    }
    String fp = sha256(chat + "\u0000" + line.sender() + "\u0000" + line.mine() + "\u0000" + line.kind() + "\u0000" + line.shownTime() + "\u0000" + line.text());
    int n = seen.merge(fp, 1, Integer::sum);
    return "fp:" + fp + "#" + n;
  }

  private static String customerNamed(Connection c, String accountId, String nickname) throws SQLException {
    return Customers.named(c, accountId, nickname).orElse(null);
  }

  private static String customerNamedQuietly(Connection c, String accountId, String nickname) {
    try {
      return nickname == null || nickname.isBlank() ? null : customerNamed(c, accountId, nickname);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 40);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String cut(String s, int max) {
    return s == null ? null : s.length() <= max ? s : s.substring(0, max);
  }

  /** Erasure (PIPL): every message heard from or to the customer; returns how many. */
  public static int erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    return Sql.update(c, "DELETE FROM messages WHERE customer_id = ?", customerId);
  }

  /** Retention: up to {@code batch} messages heard before {@code cutoff}, oldest first; returns how many went. */
  public static int forgetHeardBefore(java.sql.Connection c, java.time.Instant cutoff, int batch) throws java.sql.SQLException {
    return Sql.update(c, "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE heard_at < ? ORDER BY id LIMIT " + batch + ")", cutoff.toEpochMilli());
  }
}
