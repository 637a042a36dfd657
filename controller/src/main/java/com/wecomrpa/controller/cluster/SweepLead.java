package com.wecomrpa.controller.cluster;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Dialect;
import com.wecomrpa.controller.store.Sql;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to run the periodic sweeps, held as a term in the database: taken by the node Hazelcast
 * names oldest once the previous holder's term has run out on the database's clock, renewed by its
 * holder every second. {@link #holds()} is true only while a renewal succeeded recently on this
 * node's monotonic clock, so a node that was frozen (SIGSTOP, a long GC pause) and wakes up doubts
 * its lead until the database confirms it, and finds it gone when another node took over meanwhile.
 * The sweeps' own writes are conditional too, so even two holders at once do no harm.
 */
public final class SweepLead {
  private static final Logger LOG = LoggerFactory.getLogger(SweepLead.class);
  private static final String NAME = "sweeps";

  private final Database db;
  private final String holder;
  private final Duration term;
  private final BooleanSupplier eligible;
  private final boolean exclusive;
  private volatile long confirmedAtNanos;
  private volatile long heldTerm = -1;
  /** The database would not confirm the lead: said once, until it does again. */
  private volatile boolean unconfirmed;

  /**
   * {@code holder} names this node's start uniquely; {@code eligible} says whether it should try to
   * take the lead (the oldest member); {@code exclusive} means no other node can share this store
   * (the embedded file), so a stale term left by a killed predecessor is taken at once.
   */
  public SweepLead(Database db, String holder, Duration term, BooleanSupplier eligible, boolean exclusive) {
    this.db = db;
    this.holder = holder;
    this.term = term;
    this.eligible = eligible;
    this.exclusive = exclusive;
  }

  /** Whether this node may sweep now: its term was confirmed by the database within the last half term. */
  public boolean holds() {
    return heldTerm >= 0 && System.nanoTime() - confirmedAtNanos < term.toNanos() / 2;
  }

  /** The term this node holds, or -1. */
  public long term() {
    return holds() ? heldTerm : -1;
  }

  /** Renews this node's term or takes a free one; on a worker thread (JDBC). Returns {@link #holds()}. */
  public boolean renew() {
    long askedAt = System.nanoTime();
    boolean wanted = eligible.getAsBoolean();
    long was = heldTerm;
    long now;
    try {
      now = db.inTransaction(c -> {
        Dialect d = db.dialect();
        var row = Sql.one(c, "SELECT holder, term, expires_at, " + d.nowMillis() + " FROM sweep_lead WHERE name = ? FOR UPDATE",
            rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)}, NAME);
        long dbNow = row.isPresent() ? (long) row.get()[3] : Sql.count(c, "SELECT " + d.nowMillis());
        long until = dbNow + term.toMillis();
        if (row.isEmpty()) {
          if (!wanted) {
            return -1L;
          }
          Sql.update(c, "INSERT INTO sweep_lead (name, holder, term, expires_at, taken_at) VALUES (?, ?, 1, ?, ?)", NAME, holder, until, dbNow);
          return 1L;
        }
        String current = (String) row.get()[0];
        long currentTerm = (long) row.get()[1];
        boolean expired = (long) row.get()[2] < dbNow;
        if (current.equals(holder)) {
          // No longer the oldest member (an older one joined back): hand the term over at once.
          Sql.update(c, "UPDATE sweep_lead SET expires_at = ? WHERE name = ? AND term = ?", wanted ? until : dbNow - 1, NAME, currentTerm);
          return wanted ? currentTerm : -1L;
        }
        if (wanted && (expired || exclusive)) {
          Sql.update(c, "UPDATE sweep_lead SET holder = ?, term = ?, expires_at = ?, taken_at = ? WHERE name = ? AND term = ?",
              holder, currentTerm + 1, until, dbNow, NAME, currentTerm);
          return currentTerm + 1;
        }
        return -1L;
      });
    } catch (RuntimeException e) {
      if (e instanceof Database.StoreException s && s.getCause() instanceof java.sql.SQLException q && Dialect.duplicateKey(q)) {
        now = -1; // another node created the row first
      } else {
        heldTerm = -1;
        if (!unconfirmed) {
          unconfirmed = true;
          LOG.warn("sweeps: cannot confirm the lead with the database ({}); not sweeping until it can", e.getMessage());
        }
        return false;
      }
    }
    if (unconfirmed) {
      unconfirmed = false;
      LOG.info("sweeps: the database answers again");
    }
    heldTerm = now;
    if (now >= 0) {
      // Counted from before the question: a renewal that took long confirms less.
      confirmedAtNanos = askedAt;
    }
    if (now != was) {
      if (now >= 0) {
        LOG.info("sweeps: this node leads (term {})", now);
      } else if (was >= 0) {
        LOG.warn("sweeps: this node no longer leads (term {} is over)", was);
      }
    }
    return holds();
  }
}
