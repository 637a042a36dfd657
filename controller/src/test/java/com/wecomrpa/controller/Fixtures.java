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

  /** Real time, moved so that today is at noon in Shanghai (inside any account's active hours). */
  public static Clock middayInShanghai() {
    ZoneId z = ZoneId.of("Asia/Shanghai");
    Instant noon = LocalDate.now(z).atTime(12, 0).atZone(z).toInstant();
    return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), noon));
  }
}
