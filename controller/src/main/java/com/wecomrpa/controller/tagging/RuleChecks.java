package com.wecomrpa.controller.tagging;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.sop.ContentTemplate;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks what admins write (keyword rules, replies, reply-time rules, tags) against the tag library
 * and the reply library; a bad one is refused naming its field, and nothing is stored.
 */
public final class RuleChecks {
  /** The variables a reply may use. */
  public static final Set<String> REPLY_VARIABLES = Set.of("nickname", "account_name", "chat_name");
  static final Set<String> MATCHES = Set.of("keyword", "regex", "any");
  static final Set<String> SCOPES = Set.of("private", "group", "both");
  private static final Pattern TAG = Pattern.compile("[^\\s/]{1,64}");

  /** A keyword rule as written. */
  public record RuleSpec(String id, String name, String match, String pattern, List<String> words, String scope, List<String> addTags,
      List<String> removeTags, ReplySpec reply, Boolean enabled) {}

  public record ReplySpec(String replyId, String scope, String hours, Integer perDay) {}

  /** A reply in the library. */
  public record Reply(String id, String name, String text) {}

  /** Customers with this tag (or in this stage) must be answered within {@code minutes}. */
  public record ReplyTimeRule(String id, String tag, String stage, Integer minutes, Boolean enabled) {}

  private RuleChecks() {}

  public static String tagName(String field, String name) {
    if (name == null || !TAG.matcher(name).matches()) {
      throw Rejected.invalid(field, field + " must be 1 to 64 characters without spaces or slashes");
    }
    return name;
  }

  public static KeywordRule rule(Connection c, String id, RuleSpec s) throws SQLException {
    if (s == null) {
      throw Rejected.invalid("body", "body must be a keyword rule");
    }
    Fields.id("id", id);
    String name = Fields.maxLength("name", s.name() == null ? id : s.name(), 200);
    String match = s.match() == null ? "keyword" : s.match();
    if (!MATCHES.contains(match)) {
      throw Rejected.invalid("match", "match must be one of " + new java.util.TreeSet<>(MATCHES));
    }
    String pattern = null;
    List<String> words = List.of();
    switch (match) {
      case "keyword" -> {
        if (s.pattern() == null || s.pattern().isBlank()) {
          throw Rejected.invalid("pattern", "pattern must be a non-empty keyword");
        }
        pattern = Fields.maxLength("pattern", s.pattern(), 200);
      }
      case "regex" -> {
        if (s.pattern() == null || s.pattern().isBlank()) {
          throw Rejected.invalid("pattern", "pattern must be a non-empty regular expression");
        }
        pattern = Fields.maxLength("pattern", s.pattern(), 500);
        try {
          Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
          throw Rejected.invalid("pattern", "pattern is not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
      }
      default -> {
        if (s.words() == null || s.words().isEmpty()) {
          throw Rejected.invalid("words", "words must list at least one word for match any");
        }
        List<String> w = new ArrayList<>();
        for (int i = 0; i < s.words().size(); i++) {
          String word = s.words().get(i);
          if (word == null || word.isBlank()) {
            throw Rejected.invalid("words[" + i + "]", "words[" + i + "] must not be empty");
          }
          w.add(Fields.maxLength("words[" + i + "]", word, 200));
        }
        words = List.copyOf(w);
      }
    }
    if (!match.equals("any") && s.words() != null && !s.words().isEmpty()) {
      throw Rejected.invalid("words", "words belong to match any; " + match + " uses pattern");
    }
    String scope = scope("scope", s.scope());
    List<String> add = knownTags(c, "addTags", s.addTags());
    List<String> remove = knownTags(c, "removeTags", s.removeTags());
    KeywordRule.AutoReply reply = null;
    if (s.reply() != null) {
      ReplySpec r = s.reply();
      String replyId = Fields.id("reply.replyId", r.replyId());
      if (Sql.count(c, "SELECT COUNT(*) FROM replies WHERE id = ?", replyId) == 0) {
        throw Rejected.invalid("reply.replyId", "reply.replyId: no reply " + replyId + " in the reply library");
      }
      LocalTime from = null;
      LocalTime to = null;
      if (r.hours() != null) {
        String[] parts = r.hours().split("-");
        try {
          if (parts.length != 2) {
            throw new DateTimeParseException("", r.hours(), 0);
          }
          from = LocalTime.parse(parts[0].trim());
          to = LocalTime.parse(parts[1].trim());
        } catch (DateTimeParseException e) {
          throw Rejected.invalid("reply.hours", "reply.hours must look like 09:00-21:00 (the account's time zone)");
        }
        if (from.equals(to)) {
          throw Rejected.invalid("reply.hours", "reply.hours must not start and end at the same time");
        }
      }
      int perDay = r.perDay() == null ? 1 : r.perDay();
      if (perDay < 1 || perDay > 10) {
        throw Rejected.invalid("reply.perDay", "reply.perDay must be 1 to 10 (auto-replies per customer per rule per day)");
      }
      reply = new KeywordRule.AutoReply(replyId, r.scope() == null ? scope : scope("reply.scope", r.scope()), from, to, perDay);
    }
    if (add.isEmpty() && remove.isEmpty() && reply == null) {
      throw Rejected.invalid("addTags", "a rule must add or remove a tag, or reply");
    }
    return new KeywordRule(id, name, match, pattern, words, scope, add, remove, reply, s.enabled() == null || s.enabled());
  }

  public static Reply reply(String id, Reply r) {
    if (r == null) {
      throw Rejected.invalid("body", "body must be a reply");
    }
    Fields.id("id", id);
    if (r.text() == null || r.text().isBlank()) {
      throw Rejected.invalid("text", "text must not be empty");
    }
    Fields.maxLength("text", r.text(), 2000);
    ContentTemplate.check("text", r.text(), REPLY_VARIABLES);
    return new Reply(id, Fields.maxLength("name", r.name() == null ? id : r.name(), 200), r.text());
  }

  public static ReplyTimeRule replyTime(Connection c, String id, ReplyTimeRule r) throws SQLException {
    if (r == null) {
      throw Rejected.invalid("body", "body must be a reply-time rule");
    }
    Fields.id("id", id);
    if ((r.tag() == null) == (r.stage() == null)) {
      throw Rejected.invalid("tag", "give exactly one of tag or stage");
    }
    if (r.tag() != null) {
      knownTags(c, "tag", List.of(r.tag()));
    } else {
      Fields.maxLength("stage", r.stage(), 64);
    }
    if (r.minutes() == null || r.minutes() < 1 || r.minutes() > 7 * 24 * 60) {
      throw Rejected.invalid("minutes", "minutes must be 1 to 10080");
    }
    return new ReplyTimeRule(id, r.tag(), r.stage(), r.minutes(), r.enabled() == null || r.enabled());
  }

  private static String scope(String field, String s) {
    String v = s == null ? "both" : s;
    if (!SCOPES.contains(v)) {
      throw Rejected.invalid(field, field + " must be one of " + new java.util.TreeSet<>(SCOPES));
    }
    return v;
  }

  private static List<String> knownTags(Connection c, String field, List<String> tags) throws SQLException {
    if (tags == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < tags.size(); i++) {
      String f = tags.size() == 1 && field.equals("tag") ? field : field + "[" + i + "]";
      String t = tags.get(i);
      if (t == null || t.isBlank()) {
        throw Rejected.invalid(f, f + " must not be empty");
      }
      if (Sql.count(c, "SELECT COUNT(*) FROM tags WHERE name = ?", t) == 0) {
        throw Rejected.invalid(f, f + ": unknown tag " + t + " (define it first: PUT /api/v1/tags/" + t + ")");
      }
      out.add(t);
    }
    return List.copyOf(out);
  }
}
