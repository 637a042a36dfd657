package com.wecomrpa.controller.stage;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Date;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once per calendar day in each account's zone, re-decides every customer of the account, so facts
 * that change by time alone ("no order for 60 days") move customers without any event. The day
 * swept is stored: a restart, or another node taking over the sweeps, does not sweep a day twice.
 */
public final class SweepStagesTask extends PeriodicTask<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(SweepStagesTask.class);

  private final Database db;
  private final StageEngine engine;
  private final Clock clock;
  private final Runnable moved;

  /** {@code moved} runs on the event loop after a sweep that moved someone (plans to expand). */
  public SweepStagesTask(Vertx vertx, WorkerExecutor workers, Database db, StageEngine engine, Clock clock, Runnable moved) {
    super(vertx, workers, "stage sweep");
    this.db = db;
    this.engine = engine;
    this.clock = clock;
    this.moved = moved;
  }

  @Override
  protected Integer runOnce() {
    Instant now = clock.instant();
    // No stage rules saved: nothing to sweep, and no day is marked swept (rules saved later sweep it).
    // Asked once a run, not once per account (a farm of a thousand accounts asked it 4,000 times a second).
    if (db.inTransaction(engine::current).isEmpty()) {
      return 0;
    }
    List<String[]> accounts = db.inTransaction(c -> Sql.list(c,
        "SELECT a.id, a.time_zone, s.swept_day FROM accounts a LEFT JOIN stage_sweeps s ON s.account_id = a.id",
        rs -> new String[] {rs.getString(1), rs.getString(2), rs.getDate(3) == null ? null : rs.getDate(3).toLocalDate().toString()}));
    int moves = 0;
    for (String[] a : accounts) {
      LocalDate today = LocalDate.ofInstant(now, ZoneId.of(a[1]));
      if (a[2] != null && !LocalDate.parse(a[2]).isBefore(today)) {
        continue;
      }
      moves += db.inTransaction(c -> {
        if (engine.current(c).isEmpty()) {
          return 0;
        }
        StageEngine.Applied done = engine.evaluate(c, "cu.account_id = ?", now, "daily", a[0]);
        if (Sql.update(c, "UPDATE stage_sweeps SET swept_day = ?, swept_at = ? WHERE account_id = ?", Date.valueOf(today), now.toEpochMilli(), a[0]) == 0) {
          Sql.update(c, "INSERT INTO stage_sweeps (account_id, swept_day, swept_at) VALUES (?, ?, ?)", a[0], Date.valueOf(today), now.toEpochMilli());
        }
        if (done.transitions() > 0) {
          LOG.info("daily stage sweep of {} for {}: {} customers, {} moved", a[0], today, done.evaluated(), done.transitions());
        }
        return done.transitions();
      });
    }
    return moves;
  }

  @Override
  protected void done(Integer moves) {
    if (moves > 0) {
      moved.run();
    }
  }
}
