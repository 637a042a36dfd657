package com.wecomrpa.agent.listen;

import com.fasterxml.jackson.core.type.TypeReference;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.flow.FlowInterpreter;
import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.AgentHeard;
import com.wecomrpa.protocol.ControllerListen;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.script.Flow;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One listen on one device: which chats show unread badges ({@code list_unread}), then each of
 * them and the chats the controller named, read one by one ({@code read_chat}), until the time the
 * listen may spend is gone or a job is waiting for the device. What it read so far is always
 * returned; the controller stores each message once however often it is read.
 */
public final class ChatReader {
  public static final String LIST_UNREAD = "list_unread";
  public static final String READ_CHAT = "read_chat";
  private static final int MAX_PER_CHAT = 200;
  private static final TypeReference<List<Map<String, String>>> ROWS = new TypeReference<>() {};

  private final Clock clock;

  public ChatReader(Clock clock) {
    this.clock = clock;
  }

  public AgentHeard read(ControllerListen ask, FlowInterpreter scripts, UiDriver driver, BooleanSupplier jobWaiting) {
    Instant started = clock.instant();
    long deadline = System.nanoTime() + ask.budgetMillis() * 1_000_000L;
    List<AgentHeard.Chat> chats = new ArrayList<>();
    Map<String, Pending> toRead = new LinkedHashMap<>();
    String error = null;
    if (ask.unread()) {
      Flow list = scripts.scripts().flow(LIST_UNREAD).orElse(null);
      if (list == null) {
        return done(ask, started, chats, "script set " + scripts.scripts().client() + "@" + scripts.scripts().version() + " has no " + LIST_UNREAD + " flow");
      }
      FlowResult r = scripts.run(list, Map.of(), driver);
      if (r.outcome() != Outcome.SUCCEEDED) {
        return done(ask, started, chats, LIST_UNREAD + " failed at " + r.failedStep() + ": " + r.error());
      }
      for (Map<String, String> row : rows(r.values().get("unread"))) {
        String name = row.getOrDefault("name", "").trim();
        if (!name.isEmpty()) {
          toRead.putIfAbsent(name, new Pending(name, row.getOrDefault("type", ""), count(row.get("count"))));
        }
      }
    }
    List<AgentHeard.Request> requests = ask.unread() ? friendRequests(scripts, driver) : List.of();
    for (String named : ask.chats() == null ? List.<String>of() : ask.chats()) {
      toRead.putIfAbsent(named, new Pending(named, "", 0));
    }
    Flow readChat = scripts.scripts().flow(READ_CHAT).orElse(null);
    if (readChat == null && !toRead.isEmpty()) {
      return done(ask, started, chats, "script set " + scripts.scripts().client() + "@" + scripts.scripts().version() + " has no " + READ_CHAT + " flow");
    }
    for (Pending p : toRead.values()) {
      if (chats.size() >= ask.maxChats() || System.nanoTime() > deadline || jobWaiting.getAsBoolean()) {
        // The rest keep their badges and are read next time.
        break;
      }
      int count = Math.min(MAX_PER_CHAT, Math.max(ask.perChat(), p.unread()));
      FlowResult r = scripts.run(readChat, Map.of("chat_name", p.name(), "count", String.valueOf(count)), driver);
      if (r.outcome() != Outcome.SUCCEEDED) {
        chats.add(new AgentHeard.Chat(p.name(), p.type(), p.unread(), List.of(), r.failedStep() + ": " + r.error()));
        if (!driver.alive()) {
          error = "session died while reading " + p.name();
          break;
        }
        continue;
      }
      List<AgentHeard.Line> lines = new ArrayList<>();
      for (Map<String, String> row : rows(r.values().get("messages"))) {
        lines.add(new AgentHeard.Line(
            blankToNull(row.get("id")),
            row.getOrDefault("sender", ""),
            "true".equals(row.get("mine")),
            row.getOrDefault("kind", "text").isBlank() ? "text" : row.get("kind"),
            row.getOrDefault("time", ""),
            epochMillis(row.get("ts")),
            row.getOrDefault("text", "")));
      }
      chats.add(new AgentHeard.Chat(p.name(), p.type(), p.unread(), lines, null, memberCount(r.values().get("member_count"))));
    }
    return done(ask, started, chats, error).withRequests(requests);
  }

  /**
   * Pending friend requests, when the script set can read them and the client shows any; a failure
   * to read them costs nothing but this listen's requests (they stay pending and are read next time).
   */
  private List<AgentHeard.Request> friendRequests(FlowInterpreter scripts, UiDriver driver) {
    Flow flow = scripts.scripts().flow(ActionName.LIST_FRIEND_REQUESTS).orElse(null);
    if (flow == null) {
      return List.of();
    }
    FlowResult r = scripts.run(flow, Map.of(), driver);
    if (r.outcome() != Outcome.SUCCEEDED) {
      return List.of();
    }
    List<AgentHeard.Request> out = new ArrayList<>();
    for (Map<String, String> row : rows(r.values().get("requests"))) {
      String name = row.getOrDefault("name", "").trim();
      if (!name.isEmpty()) {
        out.add(new AgentHeard.Request(name, row.getOrDefault("note", ""), blankToNull(row.get("channel"))));
      }
    }
    return out;
  }

  private AgentHeard done(ControllerListen ask, Instant started, List<AgentHeard.Chat> chats, String error) {
    return new AgentHeard(ask.listenId(), ask.deviceId(), ask.accountId(), started, clock.instant(), List.copyOf(chats), error);
  }

  private record Pending(String name, String type, int unread) {}

  private static List<Map<String, String>> rows(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    try {
      return WireCodec.mapper().readValue(json, ROWS);
    } catch (Exception e) {
      throw new IllegalStateException("the flow read something that is not a list of fields: " + e.getMessage());
    }
  }

  /** A badge's number: "3", "99+" (at least 99), or anything else as unknown (0). */
  private static int count(String badge) {
    if (badge == null) {
      return 0;
    }
    String digits = badge.replaceAll("[^0-9]", "");
    try {
      return digits.isEmpty() ? 0 : Math.min(MAX_PER_CHAT, Integer.parseInt(digits));
    } catch (NumberFormatException e) {
      return MAX_PER_CHAT;
    }
  }

  /** A group's member count as its title shows it, "(195)"; null when not shown. */
  private static Integer memberCount(String shown) {
    String digits = shown == null ? "" : shown.replaceAll("[^0-9]", "");
    try {
      return digits.isEmpty() ? null : Integer.valueOf(digits);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Long epochMillis(String s) {
    try {
      return s == null || s.isBlank() ? null : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
