package com.wecomrpa.launcher;

import java.time.Duration;

/** A scenario's wait on a condition, with a deadline; says what it waits for every 5 s, never silent. */
final class Wait {
  private final long deadline;

  Wait(Duration limit) {
    this.deadline = System.nanoTime() + limit.toNanos();
  }

  void until(String what, java.util.function.BooleanSupplier done) {
    long said = 0;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting for " + what);
      }
      if (System.nanoTime() - said > 5_000_000_000L) {
        System.out.println("waiting for " + what);
        said = System.nanoTime();
      }
      BroadcastScenario.sleep(250);
    }
  }
}
