package com.wecomrpa.controller.retention;

import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.evidence.Screenshots;
import com.wecomrpa.controller.job.JobRetention;
import com.wecomrpa.controller.listen.HeardIntake;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link Retention} on the node leading the sweeps: each kind in batches of
 * {@link #BATCH}, each batch its own short transaction, at most {@link #BATCHES} per kind and run
 * (a first run on a years-old store catches up over several runs, never in one long lock).
 */
public final class ApplyRetentionTask extends PeriodicTask<Map<String, Integer>> {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyRetentionTask.class);
  static final int BATCH = 1_000;
  static final int BATCHES = 20;

  private final Database db;
  private final Screenshots screenshots;
  private final Retention keep;
  private final Clock systemClock;

  public ApplyRetentionTask(Vertx vertx, WorkerExecutor workers, Database db, Screenshots screenshots, Retention keep, Clock systemClock) {
    super(vertx, workers, "retention");
    this.db = db;
    this.screenshots = screenshots;
    this.keep = keep;
    this.systemClock = systemClock;
  }

  @FunctionalInterface
  private interface Batch {
    int run(java.sql.Connection c, Instant cutoff) throws java.sql.SQLException;
  }

  /** What went this run, by kind. */
  public Map<String, Integer> applyNow() {
    Instant now = systemClock.instant();
    Map<String, Integer> gone = new LinkedHashMap<>();
    gone.put("heard", drain(now.minus(Duration.ofDays(keep.heardDays())), (c, t) -> HeardIntake.forgetHeardBefore(c, t, BATCH)));
    gone.put("screenshots", drain(now.minus(Duration.ofDays(keep.screenshotDays())), (c, t) -> JobRetention.screenshotsBefore(c, t, BATCH, toDelete::add)));
    gone.put("executions", drain(now.minus(Duration.ofDays(keep.executionDays())), (c, t) -> JobRetention.executionsBefore(c, t, BATCH, toDelete::add)));
    gone.put("sent", drain(now.minus(Duration.ofDays(keep.sentDays())), (c, t) -> JobRetention.contentBefore(c, t, BATCH)));
    gone.put("audit", drain(now.minus(Duration.ofDays(keep.auditDays())), (c, t) -> AuditLog.forgetBefore(c, t, BATCH)));
    return gone;
  }

  /** Screenshot files or rows go after the batch that cleared their references commits. */
  private final java.util.List<String> toDelete = new java.util.ArrayList<>();

  private int drain(Instant cutoff, Batch batch) {
    int total = 0;
    for (int i = 0; i < BATCHES; i++) {
      toDelete.clear();
      int n = db.inTransaction(c -> batch.run(c, cutoff));
      toDelete.forEach(screenshots::delete);
      total += n;
      if (n < BATCH) {
        break;
      }
    }
    return total;
  }

  @Override
  protected Map<String, Integer> runOnce() {
    return applyNow();
  }

  @Override
  protected void done(Map<String, Integer> gone) {
    if (gone.values().stream().anyMatch(n -> n > 0)) {
      LOG.info("retention: forgot {}", gone);
    }
  }
}
