package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.input.Rejected;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text with variables: {@code {nickname}}, or with a default for when the value is missing:
 * {@code {coupon|满100减10}}. A variable the plan cannot know and that has no default is refused
 * when the plan is saved, not discovered when a customer gets a broken message.
 */
public final class ContentTemplate {
  private static final Pattern VAR = Pattern.compile("\\{([a-zA-Z_][a-zA-Z0-9_]*)(?:\\|([^{}]*))?}");

  private ContentTemplate() {}

  /** Checks every variable in {@code text} is known to this kind of plan or has a default. */
  public static void check(String field, String text, Set<String> known) {
    Matcher m = VAR.matcher(text);
    while (m.find()) {
      if (m.group(2) == null && !known.contains(m.group(1))) {
        throw Rejected.invalid(
            field, field + ": variable {" + m.group(1) + "} is not one of " + new java.util.TreeSet<>(known) + " and has no default (write {" + m.group(1) + "|default})");
      }
    }
    String stripped = VAR.matcher(text).replaceAll("");
    if (stripped.indexOf('{') >= 0 || stripped.indexOf('}') >= 0) {
      throw Rejected.invalid(field, field + ": unbalanced { or } (a variable looks like {name} or {name|default})");
    }
  }

  /** Fills variables from {@code values}; a missing or blank value takes its default, else "". */
  public static String render(String text, Map<String, String> values) {
    if (text == null) {
      return null;
    }
    Matcher m = VAR.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null || v.isBlank()) {
        v = m.group(2) == null ? "" : m.group(2);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
