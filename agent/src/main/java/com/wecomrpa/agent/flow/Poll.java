package com.wecomrpa.agent.flow;

/**
 * The pause between two looks at the screen while a step waits: short at first, since most things
 * show within a moment, then longer, so a step that waits seconds (a send the client confirms
 * slowly) does not keep the browser and its driver busy 25 times a second.
 */
final class Poll {
  private static final long FIRST_MILLIS = 40;
  private static final long LONGEST_MILLIS = 250;

  private long next = FIRST_MILLIS;

  void pause() {
    try {
      Thread.sleep(next);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailed("interrupted");
    }
    next = Math.min(LONGEST_MILLIS, next * 3 / 2);
  }
}
