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
  private final long startNanos;

  public SimulatedClock(Instant start, double speed) {
    this(start, speed, System.nanoTime());
  }

  private SimulatedClock(Instant start, double speed, long startNanos) {
    if (speed <= 0) {
      throw new IllegalArgumentException("speed must be > 0");
    }
    this.start = start;
    this.speed = speed;
    this.startNanos = startNanos;
  }

  public double speed() {
    return speed;
  }

  @Override
  public Instant instant() {
    return start.plusNanos((long) ((System.nanoTime() - startNanos) * speed));
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
