package com.wecomrpa.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Why a demo's progress stopped moving, read from the controller's API as an operator would:
 * accounts that are not active (cooling until when, and the warning seen), queued jobs grouped by
 * what holds them (claim rule or hold), accounts with work and no device, a node not ready. The
 * demo prints it whenever progress stood still for a progress interval, with what it will do.
 */
final class StallReport {
  private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final Function<String, Object> get;
  private final java.util.function.Supplier<List<String>> nodes;

  /** {@code get}: GET of an API path (under /api/v1) answering a JSON object or array, or throwing. */
  StallReport(Function<String, Object> get) {
    this(get, List::of);
  }

  /** As above; {@code nodes} names controllers that are not ready (a cluster). */
  StallReport(Function<String, Object> get, java.util.function.Supplier<List<String>> nodes) {
    this.get = get;
    this.nodes = nodes;
  }

  /** What holds the open work, as one line's worth of clauses; never empty. */
  List<String> holders() {
    List<String> out = new ArrayList<>(nodes.get());
    try {
      JsonArray accounts = (JsonArray) get.apply("/accounts");
      JsonArray alerts = (JsonArray) get.apply("/alerts");
      for (Object o : accounts) {
        JsonObject a = (JsonObject) o;
        String status = a.getString("status");
        if (!"active".equals(status)) {
          JsonObject usage = (JsonObject) get.apply("/accounts/" + a.getString("id") + "/usage");
          String until = usage.getString("coolingUntil");
          String seen = lastAlert(alerts, a.getString("id"));
          out.add("account " + a.getString("id") + " " + status + (until == null ? "" : " until " + clock(until))
              + (seen == null ? "" : " (" + seen + ")"));
        }
      }
      JsonArray queued = (JsonArray) get.apply("/jobs?state=QUEUED&limit=10000");
      Map<String, int[]> byHolder = new LinkedHashMap<>();
      Map<String, String> example = new LinkedHashMap<>();
      Map<String, String> latest = new LinkedHashMap<>();
      Map<String, Integer> perAccount = new LinkedHashMap<>();
      for (Object o : queued) {
        JsonObject j = (JsonObject) o;
        perAccount.merge(j.getString("accountId"), 1, Integer::sum);
        String reason = j.getString("reason");
        String holder = "group-reachability".equals(j.getString("decidedBy")) ? "held" : j.getString("decidedBy") != null ? j.getString("decidedBy") : "not yet looked at";
        byHolder.computeIfAbsent(holder, k -> new int[1])[0]++;
        String why = j.getString("waitNote") != null ? j.getString("waitNote") : reason;
        if (why != null) {
          example.putIfAbsent(holder, why);
        }
        String until = j.getString("waitUntil");
        if (until != null && (latest.get(holder) == null || until.compareTo(latest.get(holder)) > 0)) {
          latest.put(holder, until);
        }
      }
      byHolder.forEach((holder, n) -> out.add(n[0] + " queued " + (holder.equals("held") ? "held" : "waiting on " + holder)
          + (latest.containsKey(holder) ? " until " + clock(latest.get(holder)) : "")
          + (example.containsKey(holder) ? " (e.g. " + shorten(example.get(holder)) + ")" : "")));
      JsonArray devices = (JsonArray) get.apply("/devices");
      for (String account : perAccount.keySet()) {
        boolean any = false;
        for (Object o : devices) {
          JsonObject d = (JsonObject) o;
          any |= account.equals(d.getString("accountId")) && !"unhealthy".equals(d.getString("state")) && !"draining".equals(d.getString("state"));
        }
        if (!any) {
          out.add("no working device for " + account + " (" + perAccount.get(account) + " queued)");
        }
      }
    } catch (RuntimeException e) {
      out.add("the controller does not answer: " + e.getMessage());
    }
    if (out.isEmpty()) {
      out.add("nothing queued is held back (in flight on devices)");
    }
    return out;
  }

  /** The most recent alert of an account, shortened. */
  private static String lastAlert(JsonArray alerts, String accountId) {
    JsonObject last = null;
    for (Object o : alerts) {
      JsonObject a = (JsonObject) o;
      if (accountId.equals(a.getString("accountId")) && (last == null || a.getString("at").compareTo(last.getString("at")) > 0)) {
        last = a;
      }
    }
    return last == null ? null : "seen " + clock(last.getString("at")) + ": " + shorten(last.getString("kind") + " " + last.getString("detail"));
  }

  /** The line a stalled demo prints: what holds the work, and what the demo does about it. */
  static String line(List<String> holders, Duration stalledFor, Instant giveUpAt) {
    return "waiting (" + stalledFor.toSeconds() + " s without progress): " + String.join("; ", holders)
        + ". The demo waits until " + clock(giveUpAt.toString()) + ", then gives up with exit 3.";
  }

  private static String clock(String iso) {
    try {
      return LocalTime.ofInstant(Instant.parse(iso), ZoneId.systemDefault()).format(HH_MM_SS);
    } catch (RuntimeException e) {
      return iso;
    }
  }

  private static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
