package com.wecomrpa.controller.limits;

import java.time.LocalTime;
import java.util.Map;

/** An account's limits as they apply now, each with where its value came from. */
public record EffectiveLimits(String accountId, Map<String, Value> values) {
  /** A value and its source: default, global, tag:NAME or account (plus "+warm-up" when scaled). */
  public record Value(String value, String source) {}

  public int number(LimitName n) {
    return Integer.parseInt(values.get(n.key()).value());
  }

  /** Whether {@code t} falls inside the active hours (HH:MM-HH:MM; may wrap past midnight). */
  public boolean active(LocalTime t) {
    String[] range = values.get(LimitName.ACTIVE_HOURS.key()).value().split("-");
    int from = minutes(range[0]);
    int to = minutes(range[1]);
    int m = t.getHour() * 60 + t.getMinute();
    return from <= to ? m >= from && m < to : m >= from || m < to;
  }

  static int minutes(String hhmm) {
    String[] p = hhmm.split(":");
    return Integer.parseInt(p[0]) * 60 + Integer.parseInt(p[1]);
  }
}
