package com.wecomrpa.simulator;

import java.time.Duration;

/**
 * When the simulated platform decides an account is misbehaving: more than {@code maxSendsPerWindow}
 * sends in {@code window}, or more than {@code maxPostsPerGroupPerDay} posts to one group in a day
 * (0 = no such rule), shows "操作过于频繁". Sending again within {@code warningMemory} of a warning
 * (ignoring it) restricts the account.
 */
public record RiskModel(int maxSendsPerWindow, Duration window, int maxPostsPerGroupPerDay, Duration warningMemory) {
  public RiskModel {
    if (maxSendsPerWindow < 1 || window == null || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("maxSendsPerWindow must be >= 1 and window positive");
    }
    if (maxPostsPerGroupPerDay < 0 || warningMemory == null || warningMemory.isNegative()) {
      throw new IllegalArgumentException("maxPostsPerGroupPerDay must be >= 0 and warningMemory not negative");
    }
  }

  /** Lenient enough for the product's default limits: a normal day ends with no warning. */
  public static RiskModel defaults() {
    return new RiskModel(100, Duration.ofMinutes(1), 3, Duration.ofMinutes(10));
  }
}
