package com.wecomrpa.controller;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.UUID;

/** What the controller's tests make again and again, in one place: request bodies, reports, clocks. */
public final class Fixtures {
  private Fixtures() {}

  /** An account in Shanghai, on WeCom. */
  public static String anAccount(String id) {
    return "{\"id\":\"" + id + "\",\"platform\":\"wecom\",\"displayName\":\"Bot " + id + "\",\"timeZone\":\"Asia/Shanghai\"}";
  }

  public static String aGroup(String id, String account, String tag) {
    return "{\"id\":\"" + id + "\",\"name\":\"Group " + id + "\",\"accountId\":\"" + account + "\",\"tags\":[\"" + tag + "\"]}";
  }

  /** A text broadcast to one group. */
  public static String aBroadcast(String id, String text, String groupId) {
    return "{\"id\":\"" + id + "\",\"content\":{\"kind\":\"text\",\"text\":\"" + text + "\"},\"target\":{\"groupIds\":[\"" + groupId + "\"]}}";
  }

  /** What a device reports of an offer it ran, now. */
  public static AgentJobReport aReport(ControllerJobOffer o, Outcome outcome) {
    return new AgentJobReport(UUID.randomUUID().toString(), o.jobId(), o.fencingToken(), o.deviceId(), outcome, null, null, null, Instant.now(), Instant.now(),
        "test@1", null, null, null);
  }

  /** The report {@code r} as a device on script set {@code version} sends it when the send button is missing. */
  public static AgentJobReport aFailureOnVersion(AgentJobReport r, String version) {
    return new AgentJobReport(r.reportId(), r.jobId(), r.fencingToken(), r.deviceId(), r.outcome(), "press-send", "no send button",
        null, r.startedAt(), r.finishedAt(), version, null, null, null);
  }

  /** A group plan for every {@code store:*} group, one text step at each local time. */
  public static String aGroupPlan(String id, int priority, String... times) {
    java.util.List<String> steps = new java.util.ArrayList<>();
    for (String t : times) {
      steps.add("{\"at\":\"" + t + "\",\"content\":{\"kind\":\"text\",\"text\":\"" + id + " " + t + " {group_name}\"}}");
    }
    return "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"kind\":\"group\",\"priority\":" + priority
        + ",\"target\":{\"selector\":\"store:*\"},\"steps\":[" + String.join(",", steps) + "]}";
  }

  /** Real time, moved so that today is at noon in Shanghai (inside any account's active hours). */
  public static Clock middayInShanghai() {
    ZoneId z = ZoneId.of("Asia/Shanghai");
    Instant noon = LocalDate.now(z).atTime(12, 0).atZone(z).toInstant();
    return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
  }
}
