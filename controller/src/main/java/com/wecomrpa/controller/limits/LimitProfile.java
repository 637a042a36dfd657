package com.wecomrpa.controller.limits;

import com.wecomrpa.platform.LabPlatform;
import java.time.Duration;
import java.util.Locale;

/**
 * Which built-in values the limits fall back to. {@code SAFE} is what a started controller gets:
 * human-paced, within active hours, under the publicly reported thresholds (docs/limits.md).
 * {@code FAST} runs round the clock at the fastest pace the simulator's lab platform tolerates
 * with room to spare ({@link LabPlatform}): demos and tests against the simulator finish in
 * minutes on any host without meeting a warning. {@code UNPACED} keeps no gap at all: only for
 * load agents that drive no client (benchmarks, controller tests), never for a platform.
 * Whatever runs other than SAFE says so on its first line.
 */
public enum LimitProfile {
  SAFE(Duration.ZERO),
  FAST(LabPlatform.fastGap()),
  UNPACED(Duration.ZERO);

  private final Duration paceFloor;

  LimitProfile(Duration paceFloor) {
    this.paceFloor = paceFloor;
  }

  /** The least gap between two actions of one account, whatever the limits say. */
  public Duration paceFloor() {
    return paceFloor;
  }

  public static LimitProfile of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--limits must be safe, fast or unpaced, was " + name);
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
