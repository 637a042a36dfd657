package com.wecomrpa.controller.listen;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;

/**
 * Forgets the record of listens older than a week (a device listening every 30 s leaves 2,880 a
 * day); the messages they heard stay. Runs on the node leading the sweeps.
 */
public final class PruneHeardTask extends PeriodicTask<Integer> {
  static final Duration KEEP = Duration.ofDays(7);

  private final Database db;
  private final Clock systemClock;

  public PruneHeardTask(Vertx vertx, WorkerExecutor workers, Database db, Clock systemClock) {
    super(vertx, workers, "listen record retention");
    this.db = db;
    this.systemClock = systemClock;
  }

  @Override
  protected Integer runOnce() {
    long before = systemClock.instant().minus(KEEP).toEpochMilli();
    return db.inTransaction(c -> Sql.update(c, "DELETE FROM listen_runs WHERE asked_at < ?", before));
  }

  @Override
  protected void done(Integer deleted) {}
}
