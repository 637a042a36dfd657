package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.dispatch.Dispatcher;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the plan expander periodically and whenever plans or customers change. */
public final class ExpandPlansTask {
  private static final Logger LOG = LoggerFactory.getLogger(ExpandPlansTask.class);

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final PlanExpander expander;
  private final Dispatcher dispatcher;
  private final Clock clock;
  private long timerId = -1;
  private boolean running;
  private boolean again;
  private boolean rerank;

  public ExpandPlansTask(Vertx vertx, WorkerExecutor workers, PlanExpander expander, Dispatcher dispatcher, Clock clock) {
    this.vertx = vertx;
    this.workers = workers;
    this.expander = expander;
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  public void start(Duration every) {
    timerId = vertx.setPeriodic(every.toMillis(), t -> kick());
    kick();
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  /** Expands soon; with {@code rerankAll}, also re-ranks every group-day (a plan was withdrawn). */
  public void kick(boolean rerankAll) {
    rerank |= rerankAll;
    kick();
  }

  /** Call from the controller's event loop. */
  public void kick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    boolean rerankNow = rerank;
    rerank = false;
    workers
        .executeBlocking(
            () -> {
              if (rerankNow) {
                expander.rerank(clock.instant());
              }
              return expander.expand(clock.instant());
            },
            false)
        .onComplete(
            ar -> {
              running = false;
              if (ar.failed()) {
                LOG.error("plan expansion failed", ar.cause());
              } else if (ar.result().created() > 0) {
                LOG.info("expanded plans: {} jobs created, {} skipped by the daily cap", ar.result().created(), ar.result().skippedByCap());
                dispatcher.kick();
              }
              if (again) {
                again = false;
                kick();
              }
            });
  }
}
