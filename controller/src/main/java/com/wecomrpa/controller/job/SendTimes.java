package com.wecomrpa.controller.job;

import java.util.List;

/** How long successful sends took on their devices: count, mean and 95th percentile in ms. */
public record SendTimes(int count, long meanMillis, long p95Millis) {
  /** From durations sorted ascending. */
  public static SendTimes of(List<Long> sortedMillis) {
    if (sortedMillis.isEmpty()) {
      return new SendTimes(0, 0, 0);
    }
    long sum = sortedMillis.stream().mapToLong(Long::longValue).sum();
    int p95 = (int) Math.ceil(sortedMillis.size() * 0.95) - 1;
    return new SendTimes(sortedMillis.size(), sum / sortedMillis.size(), sortedMillis.get(Math.max(0, p95)));
  }
}
