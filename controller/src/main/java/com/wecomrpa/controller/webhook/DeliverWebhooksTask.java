package com.wecomrpa.controller.webhook;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Posts the outbox's due events, signed, with the event id as {@code Idempotency-Key}; a failure
 * is tried again after 1 s, 2 s, 4 s ... (at most 10 min apart), and given up after 12 tries.
 * Runs on the node leading the sweeps, in real time.
 */
public final class DeliverWebhooksTask extends PeriodicTask<Integer> {
  static final int MAX_ATTEMPTS = 12;

  private record Due(long id, String url, String secret, String eventId, String type, String body, int attempts) {}

  private final Database db;
  private final Clock system;

  public DeliverWebhooksTask(Vertx vertx, WorkerExecutor workers, Database db, Clock system) {
    super(vertx, workers, "webhook deliveries");
    this.db = db;
    this.system = system;
  }

  @Override
  protected Integer runOnce() {
    long now = system.millis();
    List<Due> due = db.inTransaction(c -> Sql.list(c,
        "SELECT d.id, s.url, s.secret, d.event_id, d.event_type, d.body, d.attempts FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id"
            + " WHERE d.state = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT 50",
        rs -> new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getInt(7)), now));
    int delivered = 0;
    for (Due d : due) {
      long t = system.millis() / 1000;
      HttpCall r = HttpCall.send("POST", d.url(), d.body(), Map.of(
          Signatures.HEADER, Signatures.sign(d.secret(), t, d.body()),
          "Idempotency-Key", d.eventId(),
          "X-Wecom-Rpa-Event", d.type()), Duration.ofSeconds(10));
      int attempts = d.attempts() + 1;
      String state = r.ok() ? "delivered" : attempts >= MAX_ATTEMPTS ? "failed" : "pending";
      long next = system.millis() + Math.min(Duration.ofMinutes(10).toMillis(), 1000L << Math.min(20, attempts - 1));
      db.inTransaction(c -> Sql.update(c, "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_at = ?, last_status = ?, last_error = ? WHERE id = ?",
          state, attempts, next, r.status() == 0 ? null : r.status(), r.ok() ? null : r.describe(), d.id()));
      delivered += r.ok() ? 1 : 0;
    }
    return delivered;
  }

  @Override
  protected void done(Integer result) {}
}
