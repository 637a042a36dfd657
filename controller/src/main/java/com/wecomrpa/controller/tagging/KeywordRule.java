package com.wecomrpa.controller.tagging;

import java.time.LocalTime;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A checked keyword rule: what a customer's text must contain (a keyword, any of several words, or
 * a regular expression), in which chats (private, group, both), which tags it adds and removes,
 * and which reply from the library answers it, in which chats and hours, how often per customer
 * per day. Built only by {@link RuleChecks}.
 */
public record KeywordRule(
    String id, String name, String match, String pattern, List<String> words, String scope, List<String> addTags, List<String> removeTags,
    AutoReply reply, boolean enabled) {

  /** An answer from the reply library; {@code from}/{@code to} null means any hour. */
  public record AutoReply(String replyId, String scope, LocalTime from, LocalTime to, int perDay) {
    public boolean allowsAt(LocalTime t) {
      if (from == null) {
        return true;
      }
      return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
    }
  }

  /** Whether a customer's text in a chat of this type matches. Case does not matter for keywords. */
  public boolean matches(String text, String chatType) {
    if (!enabled || text == null || !inScope(scope, chatType)) {
      return false;
    }
    String t = text.toLowerCase(Locale.ROOT);
    return switch (match) {
      case "keyword" -> t.contains(pattern.toLowerCase(Locale.ROOT));
      case "any" -> words.stream().anyMatch(w -> t.contains(w.toLowerCase(Locale.ROOT)));
      default -> compiled().matcher(text).find();
    };
  }

  static boolean inScope(String scope, String chatType) {
    return scope.equals("both") || scope.equals(chatType);
  }

  private Pattern compiled() {
    return PATTERNS.computeIfAbsent(pattern, Pattern::compile);
  }

  private static final java.util.Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();
}
