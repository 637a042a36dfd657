package com.wecomrpa.controller.spam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.JobIntake;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.sop.ContentTemplate;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.welcome.Welcomes;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one owner of the anti-spam tables. A group message from someone who is neither staff nor
 * whitelisted is checked against the group's rules as it is first heard; a match is recorded with
 * its evidence and audited, and what the rule says follows: a warning posted in the group, the
 * member removed (one removal job at a time per member and group, paced and capped like a send),
 * the member blacklisted so that a re-join is removed again. A member removed is not welcomed.
 */
public final class AntiSpam {
  /** Where warnings and removals come from: they take no post of the group's day. */
  public static final String SOURCE = com.wecomrpa.controller.quota.GroupDailyQuota.SPAM_SOURCE;
  private static final ObjectMapper JSON = WireCodec.mapper();

  /** A group message as first heard. */
  public record Said(long messageId, String accountId, String groupId, String sender, String kind, String text, long saidAt) {}

  /** One action taken, with its evidence. */
  public record Action(long id, String groupId, String name, String ruleId, String reason, Long messageId, String evidence, String action, String jobId,
      String at) {}

  private final Database db;
  private final AuditLog audit;
  private final JobIntake jobs;
  private final Welcomes welcomes;

  public AntiSpam(Database db, AuditLog audit, JobIntake jobs, Welcomes welcomes) {
    this.db = db;
    this.audit = audit;
    this.jobs = jobs;
    this.welcomes = welcomes;
  }

  public SpamRule put(String id, SpamRule in, Caller who, Instant now) {
    SpamRule r = SpamRule.checked(id, in);
    return db.inTransaction(c -> {
      if (r.groupId() != null && Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", r.groupId()) == 0) {
        throw Rejected.notFound("groupId", "group " + r.groupId() + " not found");
      }
      String old = Sql.one(c, "SELECT spec FROM spam_rules WHERE id = ?", rs -> rs.getString(1), id).orElse(null);
      Sql.update(c, "DELETE FROM spam_rules WHERE id = ?", id);
      Sql.update(c, "INSERT INTO spam_rules (id, group_tag, group_id, spec, enabled, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
          id, r.groupTag(), r.groupId(), write(r), r.enabled(), now.toEpochMilli());
      audit.record(c, who, "spam-rule.put", id, old, write(r), null, now);
      return r;
    });
  }

  public List<SpamRule> rules() {
    return db.inTransaction(c -> Sql.list(c, "SELECT spec FROM spam_rules ORDER BY id", rs -> read(rs.getString(1))));
  }

  /** Replaces the account's staff: names the rules never touch (the remove flow refuses staff too). */
  public List<String> putStaff(String accountId, List<String> names, Caller who, Instant now) {
    List<String> clean = new ArrayList<>();
    for (int i = 0; i < (names == null ? 0 : names.size()); i++) {
      String n = names.get(i) == null ? "" : names.get(i).strip();
      if (n.isEmpty() || n.length() > 200) {
        throw Rejected.invalid("names[" + i + "]", "names[" + i + "] must be 1 to 200 characters");
      }
      if (!clean.contains(n)) {
        clean.add(n);
      }
    }
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", accountId) == 0) {
        throw Rejected.notFound("id", "account " + accountId + " not found");
      }
      List<String> old = staff(c, accountId);
      Sql.update(c, "DELETE FROM staff_names WHERE account_id = ?", accountId);
      Sql.batch(c, "INSERT INTO staff_names (account_id, name) VALUES (?, ?)", clean.stream().map(n -> new Object[] {accountId, n}).toList());
      audit.record(c, who, "staff.put", accountId, write(old), write(clean), null, now);
      return clean;
    });
  }

  public List<String> staffOf(String accountId) {
    return db.inTransaction(c -> staff(c, accountId));
  }

  /** What the rules did in a group, newest first. */
  public List<Action> actionsIn(String groupId) {
    return db.inTransaction(c -> Sql.list(c, "SELECT id, group_id, name, rule_id, reason, message_id, evidence, action, job_id, at FROM spam_actions"
        + " WHERE group_id = ? ORDER BY id DESC LIMIT 500", rs -> new Action(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
        rs.getString(5), Sql.nullableLong(rs, "message_id"), rs.getString(7), rs.getString(8), rs.getString(9), Instant.ofEpochMilli(rs.getLong(10)).toString()),
        groupId));
  }

  /** Checks group messages heard for the first time; returns how many actions followed. */
  public int check(Connection c, List<Said> heard, Instant now) throws SQLException {
    int acted = 0;
    // One listen brings many messages of few groups and one account: each read once per call.
    Map<String, List<String>> staffOf = new java.util.HashMap<>();
    Map<String, List<SpamRule>> rulesOf = new java.util.HashMap<>();
    for (Said m : heard) {
      if (m.groupId() == null || m.sender() == null || m.sender().isBlank()) {
        continue;
      }
      List<String> staff = staffOf.get(m.accountId());
      if (staff == null) {
        staff = staff(c, m.accountId());
        staffOf.put(m.accountId(), staff);
      }
      if (staff.contains(m.sender())) {
        continue;
      }
      List<SpamRule> rules = rulesOf.get(m.groupId());
      if (rules == null) {
        rules = rulesFor(c, m.groupId());
        rulesOf.put(m.groupId(), rules);
      }
      for (SpamRule r : rules) {
        Optional<String> why = matches(c, r, m);
        if (why.isPresent()) {
          acted += act(c, r, m, why.get(), now);
          break;
        }
      }
    }
    return acted;
  }

  /** Whether the name is one of the account's staff. */
  public boolean staff(Connection c, String accountId, String name) throws SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM staff_names WHERE account_id = ? AND name = ?", accountId, name) > 0;
  }

  /** Whether a member is blacklisted in the account (removed again when they re-join). */
  public boolean blacklisted(Connection c, String accountId, String name) throws SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM member_blacklist WHERE account_id = ? AND name = ?", accountId, name) > 0;
  }

  /** A blacklisted member joined again: removed again, with the blacklisting as the evidence. */
  public void rejoined(Connection c, String accountId, String groupId, String name, Instant now) throws SQLException {
    String ruleId = Sql.one(c, "SELECT rule_id FROM member_blacklist WHERE account_id = ? AND name = ?", rs -> rs.getString(1), accountId, name).orElse("?");
    removal(c, ruleId, new Said(0, accountId, groupId, name, "system", name + " joined again", now.toEpochMilli()), "blacklisted", now);
  }

  private Optional<String> matches(Connection c, SpamRule r, Said m) throws SQLException {
    if (r.whitelist() != null && r.whitelist().contains(m.sender())) {
      return Optional.empty();
    }
    String text = m.text() == null ? "" : m.text();
    String lower = text.toLowerCase(Locale.ROOT);
    for (String k : r.keywords()) {
      if (lower.contains(k.toLowerCase(Locale.ROOT))) {
        return Optional.of("keyword " + k);
      }
    }
    if (SpamRule.on(r.links()) && ("link".equals(m.kind()) || lower.matches("(?s).*(https?://|www\\.)\\S+.*"))) {
      return Optional.of("link");
    }
    if (SpamRule.on(r.miniprograms()) && "miniprogram".equals(m.kind())) {
      return Optional.of("mini-program card");
    }
    if (SpamRule.on(r.qrImages()) && "image".equals(m.kind())) {
      return Optional.of("image (QR codes cannot be told from other images on screen)");
    }
    if (r.burst() != null) {
      long recent = Sql.count(c, "SELECT COUNT(*) FROM messages WHERE account_id = ? AND group_id = ? AND sender = ? AND mine = FALSE AND kind <> 'system'"
          + " AND said_at > ? AND said_at <= ?", m.accountId(), m.groupId(), m.sender(), m.saidAt() - r.burst().seconds() * 1000L, m.saidAt());
      if (recent >= r.burst().messages()) {
        return Optional.of(recent + " messages within " + r.burst().seconds() + " s");
      }
    }
    return Optional.empty();
  }

  private int act(Connection c, SpamRule r, Said m, String why, Instant now) throws SQLException {
    int acted = 0;
    if (SpamRule.on(r.warn())) {
      String group = groupName(c, m.groupId());
      String text = ContentTemplate.render(r.warning(), Map.of("nickname", m.sender(), "group_name", group));
      String jobId = "spam-warn:" + m.groupId() + ":" + m.messageId();
      jobs.enqueue(c, List.of(new NewJob(jobId, SOURCE, r.id(), m.accountId(), m.groupId(), null, ActionName.SEND_GROUP_TEXT,
          Map.of("group_id", m.groupId(), "group_name", group, "text", text), 5, null, null, null)), now);
      record(c, r.id(), m, why, "warn", jobId, now);
      acted++;
    }
    if (SpamRule.on(r.blacklist())) {
      if (!blacklisted(c, m.accountId(), m.sender())) {
        Sql.update(c, "INSERT INTO member_blacklist (account_id, name, rule_id, message_id, at) VALUES (?, ?, ?, ?, ?)",
            m.accountId(), m.sender(), r.id(), m.messageId(), now.toEpochMilli());
        record(c, r.id(), m, why, "blacklist", null, now);
        acted++;
      }
    }
    if (SpamRule.on(r.remove())) {
      acted += removal(c, r.id(), m, why, now);
    }
    return acted;
  }

  /** Queues the member's removal unless one is open for them in that group; they are not welcomed. */
  private int removal(Connection c, String ruleId, Said m, String why, Instant now) throws SQLException {
    welcomes.forget(c, m.groupId(), m.sender());
    List<String> open = Sql.list(c, "SELECT job_id FROM spam_actions WHERE group_id = ? AND name = ? AND action = 'remove'", rs -> rs.getString(1),
        m.groupId(), m.sender());
    for (String j : open) {
      if (jobs.open(c, j)) {
        return 0;
      }
    }
    String jobId = "spam-remove:" + m.groupId() + ":" + (m.messageId() > 0 ? m.messageId() : "rejoin-" + now.toEpochMilli()) + ":" + m.sender().hashCode();
    jobs.enqueue(c, List.of(new NewJob(jobId, SOURCE, ruleId, m.accountId(), m.groupId(), null, ActionName.REMOVE_MEMBER,
        Map.of("group_id", m.groupId(), "group_name", groupName(c, m.groupId()), "member_name", m.sender()), 5, null, null, null)), now);
    record(c, ruleId, m, why, "remove", jobId, now);
    audit.record(c, Caller.byRule("anti-spam rule " + ruleId), "member.remove", m.groupId() + ":" + m.sender(), null,
        write(Map.of("rule", ruleId, "reason", why, "evidence", m.text() == null ? "" : m.text(), "messageId", m.messageId(), "job", jobId)), null, now);
    return 1;
  }

  private static void record(Connection c, String ruleId, Said m, String why, String action, String jobId, Instant now) throws SQLException {
    Sql.update(c, "INSERT INTO spam_actions (account_id, group_id, name, rule_id, reason, message_id, evidence, action, job_id, at)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", m.accountId(), m.groupId(), m.sender(), ruleId, why.length() > 200 ? why.substring(0, 200) : why,
        m.messageId() > 0 ? m.messageId() : null, m.text(), action, jobId, now.toEpochMilli());
  }

  /** The group's own rules first, then its tags' rules, each by id. */
  private static List<SpamRule> rulesFor(Connection c, String groupId) throws SQLException {
    return Sql.list(c, "SELECT spec FROM spam_rules WHERE enabled = TRUE AND (group_id = ? OR group_tag IN (SELECT tag FROM group_tags WHERE group_id = ?))"
        + " ORDER BY CASE WHEN group_id IS NULL THEN 1 ELSE 0 END, id", rs -> read(rs.getString(1)), groupId, groupId);
  }

  private static List<String> staff(Connection c, String accountId) throws SQLException {
    return Sql.list(c, "SELECT name FROM staff_names WHERE account_id = ? ORDER BY name", rs -> rs.getString(1), accountId);
  }

  private static String groupName(Connection c, String groupId) throws SQLException {
    return Sql.one(c, "SELECT name FROM chat_groups WHERE id = ?", rs -> rs.getString(1), groupId).orElse(groupId);
  }

  private static SpamRule read(String json) throws SQLException {
    try {
      return JSON.readValue(json, SpamRule.class);
    } catch (Exception e) {
      throw new SQLException("unreadable anti-spam rule: " + e.getMessage(), e);
    }
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
