package com.wecomrpa.launcher;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Small helpers for commands that run until Ctrl-C. */
public final class Processes {
  private Processes() {}

  /** Waits for a Vert.x future from a plain thread, failing with its cause. */
  public static <T> T await(Future<T> f, Duration timeout) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException r ? r : new IllegalStateException(c.getMessage(), c);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out after " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** Blocks until Ctrl-C or SIGTERM, when {@code onStop} runs first (see {@link Teardown}). */
  static void runUntilStopped(Runnable onStop) {
    Teardown t = Teardown.process();
    t.add("stop", onStop::run);
    t.awaitStop();
  }
}
