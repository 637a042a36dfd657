package com.wecomrpa.controller.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Slows down guessing tokens, per remote address (API and agent gateway alike): the first few bad
 * tokens are answered at once, later ones after a delay that doubles (up to 5 s), and from the
 * {@code lockAfter}-th within the window the address is refused outright for {@code lockFor},
 * with an alert. A good token from another address is not affected; a good token from a locked
 * address waits out the lock like any other. Counted per controller node, in memory.
 */
public final class LoginThrottle {
  static final int FREE = 5;
  static final Duration WINDOW = Duration.ofMinutes(15);
  static final Duration MAX_DELAY = Duration.ofSeconds(5);

  /** What to do with a request from an address: refuse (locked, for how long more) or answer, after {@code retryAfter}. */
  public record Verdict(boolean locked, Duration retryAfter) {}

  private static final class Failures {
    int count;
    Instant first;
    Instant lockedUntil;
  }

  private final Clock clock;
  private final int lockAfter;
  private final Duration lockFor;
  private final BiConsumer<String, String> alert;
  private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();

  /** {@code alert} gets the address and what happened when an address is locked. */
  public LoginThrottle(Clock clock, int lockAfter, Duration lockFor, BiConsumer<String, String> alert) {
    this.clock = clock;
    this.lockAfter = lockAfter;
    this.lockFor = lockFor;
    this.alert = alert;
  }

  /** Whether a request from {@code address} may be checked at all now. */
  public Verdict check(String address) {
    Failures f = byAddress.get(address);
    Instant now = clock.instant();
    synchronized (this) {
      if (f != null && f.lockedUntil != null && now.isBefore(f.lockedUntil)) {
        return new Verdict(true, Duration.between(now, f.lockedUntil));
      }
    }
    return new Verdict(false, Duration.ZERO);
  }

  /**
   * Records a bad token from {@code address}: locked (refuse, the address is now over the limit,
   * however early the request arrived) or how long to hold the answer back.
   */
  public synchronized Verdict failed(String address, String where) {
    Instant now = clock.instant();
    Failures f = byAddress.computeIfAbsent(address, k -> new Failures());
    if (f.first == null || now.isAfter(f.first.plus(WINDOW)) || (f.lockedUntil != null && !now.isBefore(f.lockedUntil))) {
      f.count = 0;
      f.first = now;
      f.lockedUntil = null;
    }
    f.count++;
    if (f.count >= lockAfter && f.lockedUntil == null) {
      f.lockedUntil = now.plus(lockFor);
      alert.accept(address, f.count + " bad tokens from " + address + " (" + where + ") since " + f.first + "; refused until " + f.lockedUntil);
    }
    if (f.lockedUntil != null) {
      return new Verdict(true, Duration.between(now, f.lockedUntil));
    }
    if (f.count <= FREE) {
      return new Verdict(false, Duration.ZERO);
    }
    long ms = 100L << Math.min(10, f.count - FREE - 1);
    return new Verdict(false, Duration.ofMillis(Math.min(MAX_DELAY.toMillis(), ms)));
  }

  /** A good token: the address starts afresh (unless it is locked). */
  public void succeeded(String address) {
    Failures f = byAddress.get(address);
    if (f != null && f.lockedUntil == null) {
      byAddress.remove(address);
    }
  }
}
