package com.wecomrpa.controller.replytime;

import com.wecomrpa.controller.metrics.ControllerMetrics;
import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.sweep.PeriodicTask;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a customer message late ({@code reply:late}, one alert per chat, and a metric) once it
 * waited past its reply-time rule unanswered. Only after a fresh look: its chat was read after the
 * deadline (an answer a person typed on the device would have been seen), or the deadline is
 * {@link #GRACE} gone and no device could look. Runs on the node leading the sweeps.
 */
public final class FindLateRepliesTask extends PeriodicTask<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(FindLateRepliesTask.class);
  static final Duration GRACE = Duration.ofMinutes(5);

  private record Waiting(long id, String accountId, String chatName, String sender, long saidAt, long dueAt) {}

  private final Database db;
  private final JdbcAlertStore alerts;
  private final ControllerMetrics metrics;
  private final Clock clock;

  public FindLateRepliesTask(Vertx vertx, WorkerExecutor workers, Database db, JdbcAlertStore alerts, ControllerMetrics metrics, Clock clock) {
    super(vertx, workers, "reply-time check");
    this.db = db;
    this.alerts = alerts;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  protected Integer runOnce() {
    Instant now = clock.instant();
    List<Waiting> late = db.inTransaction(c -> {
      List<Waiting> found = Sql.list(c, "SELECT id, account_id, chat_name, sender, said_at, reply_due_at FROM messages WHERE reply_due_at IS NOT NULL"
              + " AND reply_due_at <= ? AND answered_at IS NULL AND late_at IS NULL AND (checked_at >= reply_due_at OR reply_due_at <= ?) ORDER BY id LIMIT 500",
          rs -> new Waiting(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6)),
          now.toEpochMilli(), now.minus(GRACE).toEpochMilli());
      for (Waiting w : found) {
        Sql.update(c, "UPDATE messages SET late_at = ? WHERE id = ? AND late_at IS NULL", now.toEpochMilli(), w.id());
      }
      return found;
    });
    Map<String, Waiting> perChat = new LinkedHashMap<>();
    late.forEach(w -> perChat.putIfAbsent(w.accountId() + "\u0000" + w.chatName(), w));
    for (Waiting w : perChat.values()) {
      long waited = Duration.ofMillis(now.toEpochMilli() - w.saidAt()).toMinutes();
      long allowed = Duration.ofMillis(w.dueAt() - w.saidAt()).toMinutes();
      alerts.raise(w.accountId(), "reply:late", "chat " + w.chatName() + ": " + w.sender() + " waited " + waited + " min unanswered (allowed " + allowed
          + " min; message " + w.id() + ")", null, now);
      LOG.info("account={} chat={} reply late: {} waited {} min (allowed {})", w.accountId(), w.chatName(), w.sender(), waited, allowed);
    }
    metrics.replyLate(late.size());
    return late.size();
  }

  @Override
  protected void done(Integer flagged) {}
}
