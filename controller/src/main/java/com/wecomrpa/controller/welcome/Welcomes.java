package com.wecomrpa.controller.welcome;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.JobIntake;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.sop.ContentSpec;
import com.wecomrpa.controller.sop.SenderContent;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one owner of {@code welcome_rules} and {@code welcome_batches}. A join heard in a group with
 * a welcome rule goes into the group's open batch (or opens one, due when the batch window closes
 * and no sooner than the rule's gap after the group's last welcome); a due batch becomes one job
 * posting the welcome, which the claim rules pace and count against the account's posts but not
 * against the group's posts of the day.
 */
public final class Welcomes {
  /** A welcome whose rule says drop is given this long past its due time before it is dropped. */
  public static final Duration DROP_AFTER = Duration.ofMinutes(15);
  private static final ObjectMapper JSON = WireCodec.mapper();
  private static final TypeReference<List<String>> NAMES = new TypeReference<>() {};

  /** One batch of joins and what became of it. */
  public record Batch(long id, String groupId, String ruleId, List<String> names, String firstJoinAt, String dueAt, String state, String jobId) {}

  private final Database db;
  private final AuditLog audit;
  private final JobIntake jobs;

  public Welcomes(Database db, AuditLog audit, JobIntake jobs) {
    this.db = db;
    this.audit = audit;
    this.jobs = jobs;
  }

  public WelcomeRule put(String id, WelcomeRule in, Caller who, Instant now) {
    WelcomeRule r = WelcomeRule.checked(id, in);
    return db.inTransaction(c -> {
      if (r.groupId() != null && Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", r.groupId()) == 0) {
        throw Rejected.notFound("groupId", "group " + r.groupId() + " not found");
      }
      String old = Sql.one(c, "SELECT content FROM welcome_rules WHERE id = ?", rs -> rs.getString(1), id).orElse(null);
      Sql.update(c, "DELETE FROM welcome_rules WHERE id = ?", id);
      Sql.update(c, "INSERT INTO welcome_rules (id, group_tag, group_id, content, batch_seconds, min_gap_minutes, outside_hours, enabled, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", id, r.groupTag(), r.groupId(), write(r.content()), r.batchSeconds(), r.minGapMinutes(), r.outsideHours(),
          r.enabled(), now.toEpochMilli());
      audit.record(c, who, "welcome-rule.put", id, old, write(r), null, now);
      return r;
    });
  }

  public List<WelcomeRule> rules() {
    return db.inTransaction(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM welcome_rules ORDER BY id", Welcomes::rule));
  }

  public void delete(String id, Caller who, Instant now) {
    db.inTransaction(c -> {
      String old = Sql.one(c, "SELECT content FROM welcome_rules WHERE id = ?", rs -> rs.getString(1), id)
          .orElseThrow(() -> Rejected.notFound("id", "welcome rule " + id + " not found"));
      Sql.update(c, "DELETE FROM welcome_rules WHERE id = ?", id);
      audit.record(c, who, "welcome-rule.delete", id, old, null, null, now);
      return null;
    });
  }

  /** A group's batches, newest first. */
  public List<Batch> batchesOf(String groupId) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", groupId) == 0) {
        throw Rejected.notFound("id", "group " + groupId + " not found");
      }
      return Sql.list(c, "SELECT id, group_id, rule_id, names, first_join_at, due_at, state, job_id FROM welcome_batches"
        + " WHERE group_id = ? ORDER BY id DESC LIMIT 200", rs -> new Batch(rs.getLong(1), rs.getString(2), rs.getString(3), names(rs.getString(4)),
        Instant.ofEpochMilli(rs.getLong(5)).toString(), Instant.ofEpochMilli(rs.getLong(6)).toString(), rs.getString(7), rs.getString(8)), groupId);
    });
  }

  /** Someone joined {@code groupId} (heard at {@code now}): welcomed with the others who join within the rule's window. */
  public boolean joined(Connection c, String groupId, String name, Instant now) throws SQLException {
    Optional<WelcomeRule> rule = ruleFor(c, groupId);
    if (rule.isEmpty()) {
      return false;
    }
    Optional<Long> open = Sql.one(c, "SELECT id FROM welcome_batches WHERE group_id = ? AND state = 'gathering' ORDER BY id LIMIT 1", rs -> rs.getLong(1), groupId);
    if (open.isPresent()) {
      List<String> names = names(Sql.one(c, "SELECT names FROM welcome_batches WHERE id = ?", rs -> rs.getString(1), open.get()).orElse("[]"));
      if (!names.contains(name)) {
        names.add(name);
        Sql.update(c, "UPDATE welcome_batches SET names = ? WHERE id = ?", write(names), open.get());
      }
      return true;
    }
    long due = now.plusSeconds(rule.get().batchSeconds()).toEpochMilli();
    Long last = Sql.one(c, "SELECT MAX(closed_at) AS last FROM welcome_batches WHERE group_id = ? AND state = 'queued'", rs -> Sql.nullableLong(rs, "last"), groupId)
        .orElse(null);
    if (last != null) {
      due = Math.max(due, last + Duration.ofMinutes(rule.get().minGapMinutes()).toMillis());
    }
    Sql.update(c, "INSERT INTO welcome_batches (group_id, rule_id, names, first_join_at, due_at, state) VALUES (?, ?, ?, ?, ?, 'gathering')",
        groupId, rule.get().id(), write(new ArrayList<>(List.of(name))), now.toEpochMilli(), due);
    return true;
  }

  /** Someone who will not be welcomed (removed as a spammer) leaves the batch that waits for them. */
  public void forget(Connection c, String groupId, String name) throws SQLException {
    for (long id : Sql.list(c, "SELECT id FROM welcome_batches WHERE group_id = ? AND state = 'gathering'", rs -> rs.getLong(1), groupId)) {
      List<String> names = names(Sql.one(c, "SELECT names FROM welcome_batches WHERE id = ?", rs -> rs.getString(1), id).orElse("[]"));
      if (names.remove(name)) {
        Sql.update(c, names.isEmpty() ? "UPDATE welcome_batches SET names = ?, state = 'dropped', closed_at = due_at WHERE id = ?"
            : "UPDATE welcome_batches SET names = ? WHERE id = ?", write(names), id);
      }
    }
  }

  /** Batches due by {@code now} become welcome jobs; returns how many were queued. */
  public int queueDue(Instant now) {
    return db.inTransaction(c -> {
      int queued = 0;
      List<long[]> due = Sql.list(c, "SELECT id FROM welcome_batches WHERE state = 'gathering' AND due_at <= ? ORDER BY due_at LIMIT 500",
          rs -> new long[] {rs.getLong(1)}, now.toEpochMilli());
      for (long[] b : due) {
        queued += queue(c, b[0], now) ? 1 : 0;
      }
      return queued;
    });
  }

  private boolean queue(Connection c, long batchId, Instant now) throws SQLException {
    record Row(String groupId, String ruleId, String names, long dueAt) {}
    Row b = Sql.one(c, "SELECT group_id, rule_id, names, due_at FROM welcome_batches WHERE id = ? AND state = 'gathering'",
        rs -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)), batchId).orElse(null);
    if (b == null) {
      return false;
    }
    Optional<WelcomeRule> rule = Sql.one(c, "SELECT " + COLUMNS + " FROM welcome_rules WHERE id = ?", Welcomes::rule, b.ruleId()).filter(WelcomeRule::enabled);
    record Group(String name, String accountId) {}
    Optional<Group> group = Sql.one(c, "SELECT name, account_id FROM chat_groups WHERE id = ?", rs -> new Group(rs.getString(1), rs.getString(2)), b.groupId());
    if (rule.isEmpty() || group.isEmpty()) {
      Sql.update(c, "UPDATE welcome_batches SET state = 'dropped', closed_at = ? WHERE id = ?", now.toEpochMilli(), batchId);
      return false;
    }
    String nicknames = String.join("、", names(b.names()));
    // The store a group serves: its "store:NAME" tag, as groups are tagged for store SOPs.
    String store = Sql.one(c, "SELECT tag FROM group_tags WHERE group_id = ? AND tag LIKE 'store:%' ORDER BY tag LIMIT 1", rs -> rs.getString(1), b.groupId())
        .map(t -> t.substring("store:".length())).orElse("");
    SenderContent.Action a = SenderContent.forGroup(rule.get().content(), b.groupId(), group.get().name(),
        Map.of("nickname", nicknames, "group_name", group.get().name(), "store", store));
    String jobId = "welcome:" + b.groupId() + ":" + batchId;
    Instant expires = rule.get().outsideHours().equals("drop") ? now.plus(DROP_AFTER) : null;
    jobs.enqueue(c, List.of(new NewJob(jobId, GroupDailyQuota.WELCOME_SOURCE, rule.get().id(), group.get().accountId(), b.groupId(), null, a.name(), a.params(),
        0, null, expires, null)), now);
    Sql.update(c, "UPDATE welcome_batches SET state = 'queued', job_id = ?, closed_at = ? WHERE id = ?", jobId, now.toEpochMilli(), batchId);
    return true;
  }

  /** The group's own enabled rule, else one for a tag it has (the first by id). */
  private static Optional<WelcomeRule> ruleFor(Connection c, String groupId) throws SQLException {
    Optional<WelcomeRule> own = Sql.one(c, "SELECT " + COLUMNS + " FROM welcome_rules WHERE group_id = ? AND enabled = TRUE ORDER BY id LIMIT 1",
        Welcomes::rule, groupId);
    return own.isPresent() ? own : Sql.one(c, "SELECT " + COLUMNS + " FROM welcome_rules WHERE enabled = TRUE AND group_tag IN"
        + " (SELECT tag FROM group_tags WHERE group_id = ?) ORDER BY id LIMIT 1", Welcomes::rule, groupId);
  }

  private static final String COLUMNS = "id, group_tag, group_id, content, batch_seconds, min_gap_minutes, outside_hours, enabled";

  private static WelcomeRule rule(ResultSet rs) throws SQLException {
    ContentSpec content;
    try {
      content = JSON.readValue(rs.getString(4), ContentSpec.class);
    } catch (Exception e) {
      throw new SQLException("welcome rule " + rs.getString(1) + " has unreadable content", e);
    }
    return new WelcomeRule(rs.getString(1), rs.getString(2), rs.getString(3), content, rs.getInt(5), rs.getInt(6), rs.getString(7), rs.getBoolean(8));
  }

  private static List<String> names(String json) {
    try {
      return new ArrayList<>(JSON.readValue(json, NAMES));
    } catch (Exception e) {
      return new ArrayList<>();
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
