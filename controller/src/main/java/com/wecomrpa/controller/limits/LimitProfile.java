package com.wecomrpa.controller.limits;

import java.util.Locale;

/**
 * Which built-in values the limits fall back to. {@code SAFE} is what a started controller gets:
 * human-paced, within active hours, under the publicly reported thresholds (docs/limits.md).
 * {@code FAST} sends back to back round the clock, for demos, benchmarks and tests against the
 * simulator that need minutes rather than days; whatever runs it says so on its first line.
 */
public enum LimitProfile {
  SAFE,
  FAST;

  public static LimitProfile of(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--limits must be safe or fast, was " + name);
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
