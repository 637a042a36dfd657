package com.wecomrpa.controller.sweep;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work done every so often, and whenever asked, on a worker thread (it blocks: JDBC), one run at a
 * time. A tick or kick that arrives during a run is not lost: it makes exactly one more run after
 * it. Subclasses say what one run does and what follows from its result on the event loop.
 * {@link #runs()} counts finished runs, so a test can wait for a sweep to have happened before it
 * asserts that it changed nothing.
 */
public abstract class PeriodicTask<T> {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicTask.class);

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final String name;
  private long timerId = -1;
  private boolean running;
  private boolean again;
  private volatile long runs;
  private int failing;
  private BooleanSupplier guard = () -> true;
  /** Set by {@link #stop()}: no run starts after it. */
  private boolean stopped;
  /** Completes when the run in flight at a stop has finished. */
  private io.vertx.core.Promise<Void> idle;

  protected PeriodicTask(Vertx vertx, WorkerExecutor workers, String name) {
    this.vertx = vertx;
    this.workers = workers;
    this.name = name;
  }

  /**
   * Runs only while {@code mayRun} says so, asked on the worker thread before each run (a sweep
   * asks whether this node leads the sweeps); a run it refuses is not counted.
   */
  public final PeriodicTask<T> onlyWhile(BooleanSupplier mayRun) {
    this.guard = mayRun;
    return this;
  }

  /** Runs now, then every {@code every}. Call from the controller's event loop. */
  public final void start(Duration every) {
    timerId = vertx.setPeriodic(every.toMillis(), t -> kick());
    kick();
  }

  /**
   * Runs no more; completes once a run in flight has finished, so whoever closes the database
   * after it closes nothing under a run. Call from the controller's event loop.
   */
  public final io.vertx.core.Future<Void> stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    stopped = true;
    if (!running) {
      return io.vertx.core.Future.succeededFuture();
    }
    if (idle == null) {
      idle = io.vertx.core.Promise.promise();
    }
    return idle.future();
  }

  /**
   * Asks for a run and completes once a run that started after this call has finished (a test
   * that moved the clock waits for a run that saw it). Call from the controller's event loop.
   */
  public final io.vertx.core.Future<Void> runSoon() {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    nextRun.add(p);
    kick();
    return p.future();
  }

  private java.util.List<io.vertx.core.Promise<Void>> nextRun = new java.util.ArrayList<>();

  /** Asks for a run soon. Call from the controller's event loop. */
  public final void kick() {
    if (stopped) {
      nextRun.forEach(w -> w.tryFail(name + " stopped"));
      nextRun.clear();
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    java.util.List<io.vertx.core.Promise<Void>> waiting = nextRun;
    nextRun = new java.util.ArrayList<>();
    workers
        .executeBlocking(() -> guard.getAsBoolean() ? new Ran<>(runOnce()) : null, false)
        .onComplete(
            ar -> {
              running = false;
              waiting.forEach(io.vertx.core.Promise::tryComplete);
              if (stopped) {
                // Stopping: nothing follows from this run; the stop may go on.
                if (idle != null) {
                  idle.tryComplete();
                }
                return;
              }
              if (ar.failed() || ar.result() == null) {
                missed();
              }
              if (ar.failed()) {
                runs++;
                // One line when it starts failing (a database away fails every tick), one when it is over.
                if (failing++ == 0) {
                  LOG.error("{} failed: {} (said once until it works again)", name, ar.cause().toString());
                }
              } else if (ar.result() != null) {
                runs++;
                if (failing > 0) {
                  LOG.info("{} works again after {} failed runs", name, failing);
                  failing = 0;
                }
                done(ar.result().result());
              }
              if (again) {
                again = false;
                kick();
              }
            });
  }

  private record Ran<T>(T result) {}

  /** A tick that did not run here (the guard said no) or failed; on the event loop. */
  protected void missed() {}

  /** Runs finished so far, failed ones included. */
  public final long runs() {
    return runs;
  }

  /** One run, on a worker thread. */
  protected abstract T runOnce() throws Exception;

  /** What follows from a run, on the event loop. */
  protected abstract void done(T result);
}
