package com.wecomrpa.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way the tests wait: on something they can observe (a state, a counter that moved, a line
 * said), up to a deadline, never for a fixed time. It looks within milliseconds at first and then
 * every 200 ms,
 * so a fast host passes at once and a slow one is given the whole deadline. A failure names what it
 * waited for and what it saw last.
 */
public final class Eventually {
  private static final long FIRST_MILLIS = 2;
  private static final long LONGEST_MILLIS = 200;

  private Eventually() {}

  /** Waits until {@code done} holds. */
  public static void waitUntil(String what, Duration within, BooleanSupplier done) {
    until(what, within, done::getAsBoolean, Boolean.TRUE::equals);
  }

  /**
   * Looks with {@code look} until what it sees passes {@code ok}, and returns that. A look that
   * throws counts as not yet (a server still starting, a row not yet there); the last error is told
   * if the deadline passes.
   */
  public static <T> T until(String what, Duration within, Supplier<T> look, Predicate<? super T> ok) {
    Object[] last = {"nothing yet"};
    boolean[] passed = {false};
    T seen = settle(within, () -> {
      try {
        T s = look.get();
        last[0] = s;
        return s;
      } catch (RuntimeException | AssertionError notYet) {
        last[0] = notYet;
        return null;
      }
    }, s -> passed[0] = !(last[0] instanceof Throwable) && ok.test(s));
    if (!passed[0]) {
      throw new AssertionError("waited " + within + " until " + what + "; last saw: " + last[0]);
    }
    return seen;
  }

  /**
   * As {@link #until}, but at the deadline returns what it saw last instead of failing, for a
   * caller whose own assertions then say what is wrong with it in more detail.
   */
  public static <T> T settle(Duration within, Supplier<T> look, Predicate<? super T> ok) {
    long deadline = System.nanoTime() + within.toNanos();
    long pause = FIRST_MILLIS;
    while (true) {
      T seen = look.get();
      if (ok.test(seen) || System.nanoTime() > deadline) {
        return seen;
      }
      pause(pause);
      pause = Math.min(LONGEST_MILLIS, pause * 2);
    }
  }

  /**
   * As {@link #settle}, for work that moves at the host's speed: gives up only when what
   * {@code progress} reads has not changed for {@code stall} (or at {@code cap}, the bound of the
   * whole wait), so a slow host that keeps sending is waited for and a stuck one fails soon.
   */
  public static <T> T settleWhileMoving(Duration stall, Duration cap, Supplier<T> look, java.util.function.Function<? super T, ?> progress, Predicate<? super T> ok) {
    long end = System.nanoTime() + cap.toNanos();
    Object[] lastProgress = {null};
    long[] movedAt = {System.nanoTime()};
    return settle(cap, look, seen -> {
      if (ok.test(seen)) {
        return true;
      }
      Object now = seen == null ? null : progress.apply(seen);
      long t = System.nanoTime();
      if (!java.util.Objects.equals(now, lastProgress[0])) {
        lastProgress[0] = now;
        movedAt[0] = t;
      }
      return t - movedAt[0] > stall.toNanos() || t > end;
    });
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
