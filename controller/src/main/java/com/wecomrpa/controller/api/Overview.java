package com.wecomrpa.controller.api;

import java.util.List;
import java.util.Map;

/**
 * The farm at a glance, as the console's first page shows it and pushes it live: devices by
 * state, today's jobs, the queue, plans, alerts, what listening heard, and the broadcasts that run
 * or ended last ({@code broadcasts}: each one's summary, with {@code running}).
 */
public record Overview(String at, int agents, Devices devices, Today today, Map<String, Integer> queue, Map<String, Integer> plans, Alerts alerts,
    Heard conversations, List<Object> broadcasts, int broadcastsRunning) {

  public record Devices(int total, Map<String, Integer> byState) {}

  public record Today(String since, int sent, int skipped, int failed, int unknown) {}

  public record Alerts(long last24h, long unresolved, List<Alert> latest) {}

  public record Alert(String at, String accountId, String kind, String detail) {}

  /** Hearing customers today: what listening stored, the tags it set, the replies it sent, who waited too long. */
  public record Heard(long messagesFromCustomers, long tagsAdded, long autoRepliesSent, long autoRepliesSkipped, long lateReplies) {}
}
