package com.wecomrpa.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A demo's watch on its own progress: when the count of finished jobs has not moved for a progress
 * interval it prints why ({@link StallReport}) and what it will do, again whenever the reason
 * changes or every 30 s; after {@link #LIMIT} without progress it gives up, saying why.
 */
final class Stall {
  /** How long a demo waits without progress before it gives up (a cooling account waits an hour). */
  static final Duration LIMIT = Duration.ofMinutes(3);
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Duration REPEAT = Duration.ofSeconds(30);

  private final StallReport report;
  private int lastDone = -1;
  private long movedAt = System.nanoTime();
  private long printedAt;
  private String printed = "";

  Stall(StallReport report) {
    this.report = report;
  }

  /** Called about once a second with the number of finished jobs; true when the demo should give up. */
  boolean giveUp(int done) {
    long now = System.nanoTime();
    if (done != lastDone) {
      lastDone = done;
      movedAt = now;
      printed = "";
      return false;
    }
    Duration stalled = Duration.ofNanos(now - movedAt);
    if (stalled.compareTo(INTERVAL) < 0) {
      return false;
    }
    List<String> holders = report.holders();
    Instant giveUpAt = Instant.now().plus(LIMIT.minus(stalled));
    if (stalled.compareTo(LIMIT) >= 0) {
      System.out.println("giving up: no progress for " + LIMIT.toMinutes() + " min: " + String.join("; ", holders));
      return true;
    }
    String key = String.join("; ", holders);
    if (!key.equals(printed) || now - printedAt >= REPEAT.toNanos()) {
      System.out.println(StallReport.line(holders, stalled, giveUpAt));
      printed = key;
      printedAt = now;
    }
    return false;
  }
}
