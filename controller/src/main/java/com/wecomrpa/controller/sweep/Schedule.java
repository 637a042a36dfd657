package com.wecomrpa.controller.sweep;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The controller's periodic tasks, started together and stopped together: each added with how
 * often it runs and whether only the sweep leader runs it. Stopping stops what was started, in
 * reverse order, whatever was wired.
 */
public final class Schedule {
  private record Entry(PeriodicTask<?> task, Duration every, boolean leaderOnly) {}

  private final BooleanSupplier leads;
  private final List<Entry> entries = new ArrayList<>();
  private final List<PeriodicTask<?>> started = new ArrayList<>();

  /** {@code leads}: whether this node holds the sweep lead now. */
  public Schedule(BooleanSupplier leads) {
    this.leads = leads;
  }

  /** A task only the node holding the sweep lead runs (exactly one node sweeps at a time). */
  public <T extends PeriodicTask<?>> T leaderOnly(T task, Duration every) {
    task.onlyWhile(leads);
    entries.add(new Entry(task, every, true));
    return task;
  }

  public void start() {
    for (Entry e : entries) {
      e.task().start(e.every());
      started.add(e.task());
    }
  }

  /** The node just took the lead: its sweeps run now rather than at their next tick. */
  public void tookLead() {
    entries.stream().filter(Entry::leaderOnly).forEach(e -> e.task().kick());
  }

  /** Stops every task; completes once none has a run in flight. */
  public io.vertx.core.Future<Void> stop() {
    List<io.vertx.core.Future<Void>> idle = new ArrayList<>();
    for (int i = started.size() - 1; i >= 0; i--) {
      idle.add(started.get(i).stop());
    }
    started.clear();
    return io.vertx.core.Future.join(idle).mapEmpty();
  }
}
