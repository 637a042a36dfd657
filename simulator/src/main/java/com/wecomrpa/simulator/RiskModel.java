package com.wecomrpa.simulator;

import com.wecomrpa.platform.LabPlatform;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * When the simulated platform decides an account is misbehaving: more sends than one of its
 * {@code rates} allows in that rate's window, or more than {@code maxPostsPerGroupPerDay} posts to
 * one group in a day (0 = no such rule), shows "操作过于频繁". Sending again within {@code
 * warningMemory} of a warning (ignoring it) restricts the account.
 */
public record RiskModel(List<Rate> rates, int maxPostsPerGroupPerDay, Duration warningMemory) {
  /** At most {@code max} sends in any {@code window}. */
  public record Rate(int max, Duration window) {
    public Rate {
      if (max < 1 || window == null || window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("a rate needs max >= 1 and a positive window");
      }
    }
  }

  public RiskModel {
    if (rates == null || rates.isEmpty()) {
      throw new IllegalArgumentException("rates must name at least one rate");
    }
    rates = List.copyOf(rates);
    if (maxPostsPerGroupPerDay < 0 || warningMemory == null || warningMemory.isNegative()) {
      throw new IllegalArgumentException("maxPostsPerGroupPerDay must be >= 0 and warningMemory not negative");
    }
  }

  /** One rate: {@code maxSendsPerWindow} in {@code window}. */
  public RiskModel(int maxSendsPerWindow, Duration window, int maxPostsPerGroupPerDay, Duration warningMemory) {
    this(List.of(new Rate(maxSendsPerWindow, window)), maxPostsPerGroupPerDay, warningMemory);
  }

  /**
   * The platform as public reports describe it, not as this product's defaults would like it: 20
   * messages a minute (Tencent Cloud's documented cap for a WeCom group bot), 500 a hour (the pace
   * SCRM vendors report as safe for batched sends), 3 posts to one group a day. Sources in
   * docs/limits.md.
   */
  public static RiskModel defaults() {
    return new RiskModel(List.of(new Rate(20, Duration.ofMinutes(1)), new Rate(500, Duration.ofHours(1))), 3, Duration.ofMinutes(10));
  }

  /**
   * A lenient lab platform for the fast profile (demos and tests that send as fast as the profile
   * lets them): its rate is the one the fast profile's pace is derived from ({@link LabPlatform}).
   */
  public static RiskModel lab() {
    return new RiskModel(LabPlatform.SENDS_PER_MINUTE, Duration.ofMinutes(1), 3, Duration.ofMinutes(10));
  }

  /** The longest window any rate looks back over. */
  Duration memory() {
    return rates.stream().map(Rate::window).max(Comparator.naturalOrder()).orElseThrow();
  }
}
