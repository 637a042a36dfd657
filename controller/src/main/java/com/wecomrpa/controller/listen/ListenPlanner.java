package com.wecomrpa.controller.listen;

import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.members.GroupSizes;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.ControllerListen;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides when an idle device listens: only when the dispatcher found no job for it, no sooner
 * than its account's interval after the last listen, and never when a queued job's window would
 * close within the listen's budget (listening never holds a send past its window). Besides unread
 * chats, a listen re-reads chats where a customer waits for an answer under a reply-time rule, so
 * an answer typed by a person on the device is seen before anyone is called late. Called on worker
 * threads: it reads the database.
 */
public final class ListenPlanner implements Dispatcher.IdleWork {
  /** How long settings are trusted before they are read again: a change holds within this. */
  private static final long SETTINGS_TTL_NANOS = Duration.ofSeconds(2).toNanos();
  /** A window closing later than the budget plus this is safe from a listen. */
  private static final Duration WINDOW_MARGIN = Duration.ofSeconds(60);

  /** Every account's settings as read at one moment: one statement every two seconds for the farm. */
  private record Snapshot(Map<String, ListenSettings> byAccount, long readAt) {}

  private final Database db;
  private final JdbcListenStore store;
  private final Clock businessClock;
  private final Clock systemClock;
  private final Map<String, Long> lastAsked = new ConcurrentHashMap<>();
  private volatile Snapshot settings;

  public ListenPlanner(Database db, JdbcListenStore store, Clock businessClock, Clock systemClock) {
    this.db = db;
    this.store = store;
    this.businessClock = businessClock;
    this.systemClock = systemClock;
  }

  /** The listen this idle device should run now, if any; recorded as asked before it is returned. */
  @Override
  public Optional<ControllerListen> next(String deviceId, String accountId) {
    long now = systemClock.millis();
    ListenSettings s = settingsOf(accountId);
    if (!s.enabled()) {
      return Optional.empty();
    }
    Long last = lastAsked.get(deviceId);
    if (last != null && now - last < s.intervalSeconds() * 1000L) {
      return Optional.empty();
    }
    Instant business = businessClock.instant();
    List<String> chats = new ArrayList<>(s.chats());
    boolean safe = db.inTransaction(c -> {
      Long soonest = Sql.one(c, "SELECT MIN(expires_at) AS soonest FROM jobs WHERE account_id = ? AND state = 'QUEUED' AND expires_at IS NOT NULL"
          + " AND (not_before IS NULL OR not_before <= ?)", rs -> Sql.nullableLong(rs, "soonest"), accountId,
          business.plusSeconds(s.budgetSeconds()).toEpochMilli()).orElse(null);
      // Business time may run faster than real time (a demo): the budget is counted in both.
      if (soonest != null && soonest < business.plus(Duration.ofSeconds(s.budgetSeconds())).plus(WINDOW_MARGIN).toEpochMilli()) {
        return false;
      }
      chats.addAll(Sql.list(c, "SELECT DISTINCT chat_name FROM messages WHERE account_id = ? AND mine = FALSE AND answered_at IS NULL"
          + " AND late_at IS NULL AND reply_due_at IS NOT NULL", rs -> rs.getString(1), accountId));
      // Groups whose size a group code needs, not counted lately: reading the chat shows it.
      chats.addAll(GroupSizes.toCount(c, accountId, business));
      return true;
    });
    if (!safe) {
      return Optional.empty();
    }
    Set<String> named = new LinkedHashSet<>(chats);
    String id = UUID.randomUUID().toString();
    lastAsked.put(deviceId, now);
    store.asked(id, accountId, deviceId, systemClock.instant());
    return Optional.of(new ControllerListen(id, deviceId, accountId, s.unread(), List.copyOf(named), s.maxChats(), s.perChat(), s.budgetSeconds() * 1000L));
  }

  /** How long a device may take to answer a listen before its slot is freed anyway. */
  @Override
  public Duration answerWithin(String accountId) {
    return Duration.ofSeconds(settingsOf(accountId).budgetSeconds()).plusSeconds(60);
  }

  /** Settings changed on this node: read them again at once. */
  public void forget(String accountId) {
    settings = null;
  }

  private ListenSettings settingsOf(String accountId) {
    Snapshot s = settings;
    if (s == null || System.nanoTime() - s.readAt() > SETTINGS_TTL_NANOS) {
      synchronized (this) {
        s = settings;
        if (s == null || System.nanoTime() - s.readAt() > SETTINGS_TTL_NANOS) {
          long t = System.nanoTime();
          s = new Snapshot(store.all(), t);
          settings = s;
        }
      }
    }
    return s.byAccount().getOrDefault(accountId, ListenSettings.DEFAULTS);
  }
}
