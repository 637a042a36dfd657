package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.protocol.ContentKind;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a plan step may send: the content kinds each kind of plan can send with the shipped flows,
 * their fields and lengths, the variables their templates may use, and webhook calls.
 */
final class ContentRules {
  /** Which content kinds each kind of plan can send with the shipped flows. */
  private static final Map<Plan.Kind, Set<String>> SENDABLE =
      Map.of(
          Plan.Kind.GROUP, ContentKind.names(),
          Plan.Kind.CUSTOMER, ContentKind.names(),
          Plan.Kind.MOMENTS, Set.of(ContentKind.TEXT.wireName(), ContentKind.IMAGE.wireName()));

  /** Variables each kind of plan knows; any other needs a default. */
  private static final Map<Plan.Kind, Set<String>> VARIABLES =
      Map.of(
          Plan.Kind.GROUP, Set.of("group_name", "account_name"),
          Plan.Kind.CUSTOMER, Set.of("nickname", "account_name", "stage", "customer_id"),
          Plan.Kind.MOMENTS, Set.of("account_name"));

  private final int maxTextLength;

  ContentRules(int maxTextLength) {
    this.maxTextLength = maxTextLength;
  }

  /** Checks one step's content for this kind of plan, naming the field at fault. */
  void check(Plan.Kind kind, String f, ContentSpec c) {
    check(kind, f, c, Set.of());
  }

  /** As {@link #check(Plan.Kind, String, ContentSpec)}, with variables the caller knows besides the plan's. */
  void check(Plan.Kind kind, String f, ContentSpec c, Set<String> moreVariables) {
    if (c == null) {
      throw Rejected.invalid(f, f + " is required");
    }
    String k = Fields.required(f + ".kind", c.kind());
    if (k.equals(WEBHOOK)) {
      webhook(kind, f, c, moreVariables);
      return;
    }
    boolean hasBody = c.body() != null && !c.body().isNull() && !c.body().isMissingNode();
    if (c.method() != null || hasBody || c.timeout() != null) {
      throw Rejected.invalid(f + (c.method() != null ? ".method" : hasBody ? ".body" : ".timeout"), f + ": method, body and timeout apply to webhook content only");
    }
    Map<String, String> given = new java.util.LinkedHashMap<>();
    given.put("text", c.text());
    given.put("url", c.url());
    given.put("title", c.title());
    given.put("description", c.description());
    given.put("cover", c.cover());
    given.put("appId", c.appId());
    given.put("path", c.path());
    given.put("name", c.name());
    ContentKind known = ContentKind.of(k)
        .orElseThrow(() -> Rejected.invalid(f + ".kind", f + ".kind must be one of " + String.join(", ", ContentKind.names())));
    Set<String> required = known.required();
    Set<String> optional = known.optional();
    if (!SENDABLE.get(kind).contains(k)) {
      throw Rejected.invalid(
          f + ".kind", f + ".kind " + k + " cannot be sent by a " + kind.name().toLowerCase(Locale.ROOT) + " plan; it can send " + new java.util.TreeSet<>(SENDABLE.get(kind)));
    }
    for (Map.Entry<String, String> e : given.entrySet()) {
      String field = f + "." + e.getKey();
      if (required.contains(e.getKey())) {
        Fields.maxLength(field, Fields.required(field, e.getValue()), e.getKey().equals("text") ? maxTextLength : 500);
      } else if (e.getValue() != null && !optional.contains(e.getKey())) {
        throw Rejected.invalid(field, field + " does not apply to " + k + " content");
      } else {
        Fields.maxLength(field, e.getValue(), 500);
      }
      if (e.getValue() != null && (e.getKey().equals("url") || e.getKey().equals("cover")) && !e.getValue().matches("https?://\\S+")) {
        throw Rejected.invalid(field, field + " must be an http(s) URL");
      }
    }
    for (String templated : List.of("text", "title", "description")) {
      if (given.get(templated) != null) {
        Set<String> variables = new java.util.HashSet<>(VARIABLES.get(kind));
        variables.addAll(moreVariables);
        ContentTemplate.check(f + "." + templated, given.get(templated), variables);
      }
    }
  }

  static final String WEBHOOK = "webhook";
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  /** A call to a system around (SMS, call centre, CRM) from a customer plan; its body may use the plan's variables. */
  private void webhook(Plan.Kind kind, String f, ContentSpec c, Set<String> moreVariables) {
    if (kind != Plan.Kind.CUSTOMER) {
      throw Rejected.invalid(f + ".kind", f + ".kind webhook is a customer plan step");
    }
    String method = c.method() == null ? "POST" : c.method();
    if (!METHODS.contains(method)) {
      throw Rejected.invalid(f + ".method", f + ".method must be one of " + new java.util.TreeSet<>(METHODS));
    }
    String url = Fields.maxLength(f + ".url", Fields.required(f + ".url", c.url()), 1000);
    if (!url.matches("https?://\\S+")) {
      throw Rejected.invalid(f + ".url", f + ".url must be an http(s) URL");
    }
    for (String other : new String[] {c.text(), c.title(), c.description(), c.cover(), c.appId(), c.path(), c.name()}) {
      if (other != null) {
        throw Rejected.invalid(f, f + ": a webhook step takes method, url, body and timeout only");
      }
    }
    if (c.body() != null && !c.body().isNull() && !c.body().isMissingNode()) {
      if (!c.body().isObject() && !c.body().isArray()) {
        throw Rejected.invalid(f + ".body", f + ".body must be a JSON object or array");
      }
      if (c.body().toString().length() > 8000) {
        throw Rejected.invalid(f + ".body", f + ".body is over 8000 characters");
      }
      Set<String> known = new java.util.HashSet<>(VARIABLES.get(kind));
      known.addAll(moreVariables);
      checkTemplates(f + ".body", c.body(), known);
    }
    if (c.timeout() != null) {
      webhookTimeout(f + ".timeout", c.timeout());
    }
  }

  private static void checkTemplates(String f, com.fasterxml.jackson.databind.JsonNode n, Set<String> known) {
    if (n.isTextual()) {
      ContentTemplate.check(f, n.asText(), known);
    } else if (n.isObject()) {
      n.fields().forEachRemaining(e -> checkTemplates(f + "." + e.getKey(), e.getValue(), known));
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        checkTemplates(f + "[" + i + "]", n.get(i), known);
      }
    }
  }

  /** A webhook's timeout, {@code 1s} to {@code 60s} (default 10s). */
  static Duration webhookTimeout(String f, String text) {
    Matcher m = Pattern.compile("(\\d{1,2})s").matcher(text.trim());
    if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 60) {
      throw Rejected.invalid(f, f + " '" + text + "' must be 1s to 60s");
    }
    return Duration.ofSeconds(Integer.parseInt(m.group(1)));
  }
}
