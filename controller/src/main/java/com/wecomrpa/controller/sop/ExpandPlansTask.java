package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the plan expander periodically and whenever plans or customers change. */
public final class ExpandPlansTask extends PeriodicTask<PlanExpander.Result> {
  private static final Logger LOG = LoggerFactory.getLogger(ExpandPlansTask.class);

  private final PlanExpander expander;
  private final Dispatcher dispatcher;
  private final Clock clock;
  private final AtomicBoolean rerank = new AtomicBoolean();

  public ExpandPlansTask(Vertx vertx, WorkerExecutor workers, PlanExpander expander, Dispatcher dispatcher, Clock clock) {
    super(vertx, workers, "plan expansion");
    this.expander = expander;
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  /** Expands soon; with {@code rerankAll}, also re-ranks every group-day (a plan was withdrawn). */
  public void kick(boolean rerankAll) {
    if (rerankAll) {
      rerank.set(true);
    }
    kick();
  }

  @Override
  protected PlanExpander.Result runOnce() {
    if (rerank.getAndSet(false)) {
      expander.rerank(clock.instant());
    }
    return expander.expand(clock.instant());
  }

  @Override
  protected void done(PlanExpander.Result result) {
    if (result.created() > 0) {
      LOG.info("expanded plans: {} jobs created, {} skipped by the daily cap", result.created(), result.skippedByCap());
      dispatcher.kick();
    }
  }
}
