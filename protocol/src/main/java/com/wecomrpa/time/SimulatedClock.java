package com.wecomrpa.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Business time that runs {@code speed} times faster than the wall clock from a chosen start, so a
 * person can watch a day of SOPs in a minute. Every part that schedules or counts per day reads
 * the same instance; leases and timeouts keep real time.
 */
public final class SimulatedClock extends Clock {
  private final Instant start;
  private final double speed;
  private volatile long startNanos;
  private volatile boolean running;
  private volatile long skippedNanos;

  /** A clock already running from {@code start}. */
  public SimulatedClock(Instant start, double speed) {
    this(start, speed, true);
  }

  private SimulatedClock(Instant start, double speed, boolean running) {
    if (speed <= 0) {
      throw new IllegalArgumentException("speed must be > 0");
    }
    this.start = start;
    this.speed = speed;
    this.running = running;
    this.startNanos = System.nanoTime();
  }

  /** A clock that stands at {@code start} until {@link #run()}: setup takes no business time. */
  public static SimulatedClock standing(Instant start, double speed) {
    return new SimulatedClock(start, speed, false);
  }

  /** Starts time moving (once). */
  public synchronized void run() {
    if (!running) {
      startNanos = System.nanoTime();
      running = true;
    }
  }

  /**
   * Jumps forward to {@code target} (never back): a demo skips the business hours in which nothing
   * is due, as if they had passed at speed.
   */
  public synchronized void skipTo(Instant target) {
    Instant now = instant();
    if (target.isAfter(now)) {
      skippedNanos += java.time.Duration.between(now, target).toNanos();
    }
  }

  public double speed() {
    return speed;
  }

  @Override
  public Instant instant() {
    if (!running) {
      return start;
    }
    return start.plusNanos((long) ((System.nanoTime() - startNanos) * speed) + skippedNanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return Clock.fixed(instant(), zone);
  }
}
