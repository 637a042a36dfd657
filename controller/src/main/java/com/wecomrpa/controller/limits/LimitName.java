package com.wecomrpa.controller.limits;

import java.util.Locale;

/**
 * The throttles admins can set, with the built-in default each falls back to. {@code stricter}
 * says which of two values binds harder, for when an account has several tags that set one.
 */
public enum LimitName {
  // name, safe default, fast (and unpaced) default: the safe values are argued, with sources, in docs/limits.md
  MAX_GROUPS("maxGroups", "200", "200", Strict.LOWER, false),
  POSTS_PER_GROUP_PER_DAY("postsPerGroupPerDay", "3", "3", Strict.LOWER, true),
  POSTS_PER_ACCOUNT_PER_HOUR("postsPerAccountPerHour", "90", "600", Strict.LOWER, true),
  POSTS_PER_ACCOUNT_PER_DAY("postsPerAccountPerDay", "600", "2000", Strict.LOWER, true),
  PRIVATE_MESSAGES_PER_DAY("privateMessagesPerDay", "150", "200", Strict.LOWER, true),
  MOMENTS_PER_DAY("momentsPerDay", "3", "5", Strict.LOWER, true),
  MINIPROGRAM_PER_DAY("miniprogramPerDay", "60", "100", Strict.LOWER, true),
  FILE_PER_DAY("filePerDay", "60", "100", Strict.LOWER, true),
  FRIEND_ACCEPTS_PER_DAY("friendAcceptsPerDay", "50", "200", Strict.LOWER, true),
  REMOVALS_PER_DAY("removalsPerDay", "20", "100", Strict.LOWER, true),
  MIN_GAP_SECONDS("minGapSeconds", "30", "0", Strict.HIGHER, false),
  GAP_JITTER_SECONDS("gapJitterSeconds", "15", "0", Strict.HIGHER, false),
  ACTIVE_HOURS("activeHours", "08:00-22:00", "00:00-24:00", Strict.FIRST, false),
  WARMUP_DAYS("warmupDays", "0", "0", Strict.HIGHER, false),
  WARMUP_PERCENT("warmupPercent", "50", "50", Strict.LOWER, false),
  COOLDOWN_MINUTES("cooldownMinutes", "60", "60", Strict.HIGHER, false),
  /**
   * Marketing private messages per customer: {@code N/Dd} (at most N in any D days, e.g. 1/7d) or
   * {@code off}. Set globally, per customer tag or per stage (not per account): see docs/limits.md.
   */
  CUSTOMER_CADENCE("customerCadence", "off", "off", Strict.RATE, false);

  enum Strict {
    LOWER,
    HIGHER,
    FIRST,
    /** N/Dd: the fewer messages per day the stricter; off is the least strict. */
    RATE
  }

  private final String key;
  private final String fallback;
  private final String fast;
  private final Strict strict;
  private final boolean warmedUp;

  LimitName(String key, String fallback, String fast, Strict strict, boolean warmedUp) {
    this.key = key;
    this.fallback = fallback;
    this.fast = fast;
    this.strict = strict;
    this.warmedUp = warmedUp;
  }

  public String key() {
    return key;
  }

  /** The built-in value under a profile. */
  public String fallback(LimitProfile profile) {
    return profile == LimitProfile.SAFE ? fallback : fast;
  }

  /** Whether a new account's warm-up scales this cap down. */
  boolean warmedUp() {
    return warmedUp;
  }

  /** Which of two values from different tags applies. */
  String stricter(String a, String b) {
    return switch (strict) {
      case LOWER -> Integer.parseInt(a) <= Integer.parseInt(b) ? a : b;
      case HIGHER -> Integer.parseInt(a) >= Integer.parseInt(b) ? a : b;
      case FIRST -> a;
      case RATE -> CadenceRate.parse(a).perDay() <= CadenceRate.parse(b).perDay() ? a : b;
    };
  }

  public static LimitName fromKey(String key) {
    for (LimitName n : values()) {
      if (n.key.equals(key)) {
        return n;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return key.toLowerCase(Locale.ROOT);
  }
}
