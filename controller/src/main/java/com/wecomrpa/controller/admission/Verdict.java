package com.wecomrpa.controller.admission;

import java.time.Instant;

/**
 * What a claim rule says about one job now: go, wait (until a time if one is known), or skip for
 * good. {@code rule} and {@code reason} are what {@code GET /jobs/{id}} shows for a job that waits
 * or was skipped.
 */
public record Verdict(Kind kind, String rule, String reason, Instant until) {
  public enum Kind {
    GO,
    WAIT,
    SKIP
  }

  private static final Verdict GO = new Verdict(Kind.GO, null, null, null);

  public static Verdict go() {
    return GO;
  }

  public static Verdict waitUntil(String rule, Instant until, String reason) {
    return new Verdict(Kind.WAIT, rule, reason, until);
  }

  public static Verdict skip(String rule, String reason) {
    return new Verdict(Kind.SKIP, rule, reason, null);
  }

  public boolean goes() {
    return kind == Kind.GO;
  }
}
