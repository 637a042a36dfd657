package com.wecomrpa.platform;

import java.time.Duration;

/**
 * The simulator's lab platform and the controller's fast limits profile, derived from one figure.
 * The fast profile exists so a demo or a test finishes in minutes; it must still never meet a
 * warning it did not ask for, however fast the host sends. So its per-account ceiling is not a
 * matter of how long a send takes on this machine but a pace the controller keeps between an
 * account's claims: three quarters of what the lab platform tolerates.
 */
public final class LabPlatform {
  /** The lab platform warns an account at this many sends in any minute. */
  public static final int SENDS_PER_MINUTE = 100;

  /** The fast profile's ceiling per account: three quarters of the lab's threshold. */
  public static final int FAST_SENDS_PER_MINUTE = SENDS_PER_MINUTE * 3 / 4;

  private LabPlatform() {}

  /** The least gap the fast profile keeps between two claims of one account (800 ms). */
  public static Duration fastGap() {
    return Duration.ofMillis(60_000 / FAST_SENDS_PER_MINUTE);
  }
}
