package com.wecomrpa.controller.listen;

import com.wecomrpa.controller.input.Rejected;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * How one account's device listens: whether at all, how often (real seconds between listens), how
 * long one listen may spend, whether it reads every chat with an unread badge, which chats it reads
 * always, how many messages per chat and how many chats per listen. The defaults read every unread
 * chat every 30 s for at most 20 s: a person glancing at the phone, never holding up a send.
 */
public record ListenSettings(boolean enabled, int intervalSeconds, int budgetSeconds, boolean unread, List<String> chats, int perChat, int maxChats) {
  public static final ListenSettings DEFAULTS = new ListenSettings(true, 30, 20, true, List.of(), 20, 20);

  /** Reads a PUT body; a field left out takes its default. Refuses naming the field. */
  public static ListenSettings from(JsonObject body) {
    if (body == null) {
      throw Rejected.invalid("body", "body must be a JSON object");
    }
    for (String key : body.fieldNames()) {
      if (!List.of("enabled", "intervalSeconds", "budgetSeconds", "unread", "chats", "perChat", "maxChats").contains(key)) {
        throw Rejected.invalid(key, "unknown field " + key + "; use enabled, intervalSeconds, budgetSeconds, unread, chats, perChat, maxChats");
      }
    }
    boolean enabled = bool(body, "enabled", DEFAULTS.enabled());
    int interval = range(body, "intervalSeconds", DEFAULTS.intervalSeconds(), 1, 86_400);
    int budget = range(body, "budgetSeconds", DEFAULTS.budgetSeconds(), 1, 300);
    boolean unread = bool(body, "unread", DEFAULTS.unread());
    int perChat = range(body, "perChat", DEFAULTS.perChat(), 1, 200);
    int maxChats = range(body, "maxChats", DEFAULTS.maxChats(), 1, 200);
    List<String> chats = new ArrayList<>();
    Object raw = body.getValue("chats");
    if (raw != null) {
      if (!(raw instanceof JsonArray a)) {
        throw Rejected.invalid("chats", "chats must be a list of chat names");
      }
      if (a.size() > 200) {
        throw Rejected.invalid("chats", "chats may name at most 200 chats");
      }
      for (int i = 0; i < a.size(); i++) {
        if (!(a.getValue(i) instanceof String s) || s.isBlank() || s.length() > 200) {
          throw Rejected.invalid("chats[" + i + "]", "chats[" + i + "] must be a chat name of 1 to 200 characters");
        }
        chats.add(s);
      }
    }
    if (!unread && chats.isEmpty() && enabled) {
      throw Rejected.invalid("chats", "with unread false, chats must name the chats to read");
    }
    return new ListenSettings(enabled, interval, budget, unread, List.copyOf(chats), perChat, maxChats);
  }

  private static boolean bool(JsonObject body, String field, boolean dflt) {
    Object v = body.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Boolean b)) {
      throw Rejected.invalid(field, field + " must be true or false");
    }
    return b;
  }

  private static int range(JsonObject body, String field, int dflt, int min, int max) {
    Object v = body.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min || n.longValue() > max) {
      throw Rejected.invalid(field, field + " must be a whole number from " + min + " to " + max);
    }
    return n.intValue();
  }
}
