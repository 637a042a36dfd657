package com.wecomrpa.controller.tagging;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tag library, keyword rules, the reply library and reply-time rules: checked, stored, and
 * every change audited with its old and new value.
 */
public final class JdbcRuleStore {
  private final Database db;
  private final AuditLog audit;

  public JdbcRuleStore(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  public Map<String, Object> putTag(String name, String description, Caller who, Instant now) {
    RuleChecks.tagName("name", name);
    String d = description == null ? "" : description;
    if (d.length() > 500) {
      throw Rejected.invalid("description", "description must be at most 500 characters");
    }
    return db.inTransaction(c -> {
      String old = Sql.one(c, "SELECT description FROM tags WHERE name = ?", rs -> rs.getString(1), name).orElse(null);
      if (old == null) {
        Sql.update(c, "INSERT INTO tags (name, description, created_at) VALUES (?, ?, ?)", name, d, now.toEpochMilli());
      } else {
        Sql.update(c, "UPDATE tags SET description = ? WHERE name = ?", d, name);
      }
      audit.record(c, who, "tag.put", name, old, d, null, now);
      return Map.of("name", name, "description", d);
    });
  }

  public List<Map<String, Object>> tags() {
    return db.inTransaction(c -> Sql.list(c,
        "SELECT t.name, t.description, (SELECT COUNT(*) FROM customer_tags ct WHERE ct.tag = t.name) FROM tags t ORDER BY t.name",
        rs -> Map.<String, Object>of("name", rs.getString(1), "description", rs.getString(2), "customers", rs.getLong(3))));
  }

  public KeywordRule putRule(String id, RuleChecks.RuleSpec spec, Caller who, Instant now) {
    return db.inTransaction(c -> {
      KeywordRule rule = RuleChecks.rule(c, id, spec);
      String old = Sql.one(c, "SELECT spec FROM keyword_rules WHERE id = ?", rs -> rs.getString(1), id).orElse(null);
      if (old == null) {
        Sql.update(c, "INSERT INTO keyword_rules (id, spec, enabled, version, updated_at) VALUES (?, ?, ?, 1, ?)", id, write(rule), rule.enabled(), now.toEpochMilli());
      } else {
        Sql.update(c, "UPDATE keyword_rules SET spec = ?, enabled = ?, version = version + 1, updated_at = ? WHERE id = ?", write(rule), rule.enabled(), now.toEpochMilli(), id);
      }
      audit.record(c, who, "keyword-rule.put", id, old, write(rule), null, now);
      return rule;
    });
  }

  public List<KeywordRule> rules() {
    return db.inTransaction(JdbcRuleStore::rules);
  }

  static List<KeywordRule> rules(Connection c) throws SQLException {
    return Sql.list(c, "SELECT spec FROM keyword_rules ORDER BY id", rs -> read(rs.getString(1), KeywordRule.class));
  }

  public RuleChecks.Reply putReply(String id, RuleChecks.Reply r, Caller who, Instant now) {
    RuleChecks.Reply checked = RuleChecks.reply(id, r);
    return db.inTransaction(c -> {
      String old = Sql.one(c, "SELECT body FROM replies WHERE id = ?", rs -> rs.getString(1), id).orElse(null);
      Sql.update(c, "DELETE FROM replies WHERE id = ?", id);
      Sql.update(c, "INSERT INTO replies (id, name, body, updated_at) VALUES (?, ?, ?, ?)", id, checked.name(), checked.text(), now.toEpochMilli());
      audit.record(c, who, "reply.put", id, old, checked.text(), null, now);
      return checked;
    });
  }

  public List<RuleChecks.Reply> replies() {
    return db.inTransaction(c -> Sql.list(c, "SELECT id, name, body FROM replies ORDER BY id",
        rs -> new RuleChecks.Reply(rs.getString(1), rs.getString(2), rs.getString(3))));
  }

  public RuleChecks.ReplyTimeRule putReplyTime(String id, RuleChecks.ReplyTimeRule r, Caller who, Instant now) {
    return db.inTransaction(c -> {
      RuleChecks.ReplyTimeRule checked = RuleChecks.replyTime(c, id, r);
      String old = replyTimeRules(c).stream().filter(stored -> stored.id().equals(id)).findFirst().map(JdbcRuleStore::write).orElse(null);
      Sql.update(c, "DELETE FROM reply_time_rules WHERE id = ?", id);
      Sql.update(c, "INSERT INTO reply_time_rules (id, tag, stage, minutes, enabled, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
          id, checked.tag(), checked.stage(), checked.minutes(), checked.enabled(), now.toEpochMilli());
      audit.record(c, who, "reply-time-rule.put", id, old, write(checked), null, now);
      return checked;
    });
  }

  public List<RuleChecks.ReplyTimeRule> replyTimeRules() {
    return db.inTransaction(JdbcRuleStore::replyTimeRules);
  }

  static List<RuleChecks.ReplyTimeRule> replyTimeRules(Connection c) throws SQLException {
    return Sql.list(c, "SELECT id, tag, stage, minutes, enabled FROM reply_time_rules ORDER BY id",
        rs -> new RuleChecks.ReplyTimeRule(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getBoolean(5)));
  }

  /** Deletes one keyword rule, reply or reply-time rule; audited. A reply still used by a rule stays. */
  public Map<String, Object> delete(String kind, String id, Caller who, Instant now) {
    String table = switch (kind) {
      case "keyword-rule" -> "keyword_rules";
      case "reply" -> "replies";
      case "reply-time-rule" -> "reply_time_rules";
      default -> throw new IllegalArgumentException(kind);
    };
    return db.inTransaction(c -> {
      if (kind.equals("reply")) {
        for (KeywordRule r : rules(c)) {
          if (r.reply() != null && r.reply().replyId().equals(id)) {
            throw Rejected.conflict("id", "reply " + id + " is used by keyword rule " + r.id());
          }
        }
      }
      if (Sql.update(c, "DELETE FROM " + table + " WHERE id = ?", id) == 0) {
        throw Rejected.notFound("id", kind + " " + id + " not found");
      }
      audit.record(c, who, kind + ".delete", id, null, null, null, now);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("deleted", true);
      return m;
    });
  }

  static String write(Object o) {
    try {
      return WireCodec.mapper().writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return WireCodec.mapper().readValue(json, type);
    } catch (Exception e) {
      throw new IllegalStateException("stored " + type.getSimpleName() + " is unreadable: " + e.getMessage());
    }
  }
}
