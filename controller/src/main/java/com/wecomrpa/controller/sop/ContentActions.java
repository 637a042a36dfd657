package com.wecomrpa.controller.sop;

import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.ContentKind;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a step's content into the agent action and params the flows in {@code scripts/} expect,
 * rendering template variables with what is known about the target.
 */
final class ContentActions {
  record Action(String name, Map<String, String> params) {}

  private ContentActions() {}

  static Action forGroup(ContentSpec c, String groupId, String groupName, Map<String, String> vars) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("group_id", groupId);
    p.put("group_name", groupName);
    return new Action(content(c, vars, p).groupAction(), p);
  }

  /** Puts the content's fields into {@code p} as the flows name them; returns its kind. */
  private static ContentKind content(ContentSpec c, Map<String, String> vars, Map<String, String> p) {
    ContentKind kind = ContentKind.of(c.kind()).orElseThrow(() -> new IllegalArgumentException("unknown content kind " + c.kind()));
    switch (kind) {
      case TEXT -> p.put("text", ContentTemplate.render(c.text(), vars));
      case IMAGE -> p.put("image_url", c.url());
      case LINK -> {
        p.put("url", c.url());
        p.put("title", ContentTemplate.render(c.title(), vars));
        p.put("description", c.description() == null ? "" : ContentTemplate.render(c.description(), vars));
        p.put("cover", c.cover() == null ? "" : c.cover());
      }
      case MINIPROGRAM -> {
        p.put("app_id", c.appId());
        p.put("path", c.path());
        p.put("title", ContentTemplate.render(c.title(), vars));
        p.put("cover", c.cover() == null ? "" : c.cover());
      }
      case FILE -> {
        p.put("file_url", c.url());
        p.put("file_name", c.name());
      }
    }
    return kind;
  }

  /**
   * What a phone finds the content by in the account's Favorites (the Android flows): the title, the
   * file's name, or the last part of the image's URL.
   */
  private static String material(ContentKind kind, Map<String, String> p) {
    return switch (kind) {
      case TEXT -> "";
      case IMAGE -> p.get("image_url").replaceAll(".*/", "");
      case LINK, MINIPROGRAM -> p.get("title");
      case FILE -> p.get("file_name");
    };
  }

  static Action forCustomer(ContentSpec c, String customerId, String nickname, Map<String, String> vars) {
    if (ContentRules.WEBHOOK.equals(c.kind())) {
      return forWebhook(c, vars);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("customer_id", customerId);
    p.put("customer_name", nickname);
    ContentKind kind = content(c, vars, p);
    if (kind != ContentKind.TEXT) {
      p.put("material", material(kind, p));
    }
    return new Action(kind.privateAction(), p);
  }

  /** The call as the controller will make it: variables rendered into the body's strings. */
  private static Action forWebhook(ContentSpec c, Map<String, String> vars) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("method", c.method() == null ? "POST" : c.method());
    p.put("url", ContentTemplate.render(c.url(), vars));
    p.put("body", c.body() == null || c.body().isNull() || c.body().isMissingNode() ? "" : render(c.body().deepCopy(), vars).toString());
    p.put("timeout_ms", String.valueOf(c.timeout() == null ? 10_000 : ContentRules.webhookTimeout("timeout", c.timeout()).toMillis()));
    return new Action(com.wecomrpa.controller.webhook.CallWebhookStepsTask.ACTION, p);
  }

  private static com.fasterxml.jackson.databind.JsonNode render(com.fasterxml.jackson.databind.JsonNode n, Map<String, String> vars) {
    if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      java.util.List<String> names = new java.util.ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        com.fasterxml.jackson.databind.JsonNode v = o.get(name);
        o.set(name, v.isTextual() ? com.fasterxml.jackson.databind.node.TextNode.valueOf(ContentTemplate.render(v.asText(), vars)) : render(v, vars));
      }
    } else if (n instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        com.fasterxml.jackson.databind.JsonNode v = a.get(i);
        a.set(i, v.isTextual() ? com.fasterxml.jackson.databind.node.TextNode.valueOf(ContentTemplate.render(v.asText(), vars)) : render(v, vars));
      }
    }
    return n;
  }

  static Action forMoments(ContentSpec c, Map<String, String> vars) {
    Map<String, String> p = new LinkedHashMap<>();
    if (ContentKind.IMAGE.wireName().equals(c.kind())) {
      p.put("text", c.text() == null ? "" : ContentTemplate.render(c.text(), vars));
      p.put("image_url", c.url());
    } else {
      p.put("text", ContentTemplate.render(c.text(), vars));
      p.put("image_url", "");
    }
    return new Action(ActionName.POST_MOMENTS, p);
  }
}
