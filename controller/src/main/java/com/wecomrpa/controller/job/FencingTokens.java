package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Dialect;
import com.wecomrpa.controller.store.Sql;
import java.time.Instant;

/**
 * Fencing tokens that never repeat. Each controller start takes a new epoch and forces it to disk
 * before any lease is granted; a token is {@code E << 32} plus a counter of this start. So even a
 * store that loses the tail of its commits (power loss) cannot hand out a token an agent has
 * already acted on: a lease it forgot comes back under a new token, and the old one is recognised
 * as a lease it never heard of. Tokens are compared for equality only, never for order.
 */
public final class FencingTokens {
  private final long epoch;
  private final java.util.concurrent.atomic.AtomicLong granted = new java.util.concurrent.atomic.AtomicLong();

  FencingTokens(long epoch) {
    if (epoch < 1 || epoch >= (1L << 21)) {
      // Below 2^53 tokens stay exact in JSON readers that use doubles.
      throw new IllegalArgumentException("epoch must be 1.." + ((1L << 21) - 1) + ", was " + epoch);
    }
    this.epoch = epoch;
  }

  /**
   * Takes the next epoch for this start, durably (synced to disk) before returning. Nodes of a
   * cluster starting together race for the same number: the primary key picks one winner and the
   * others take the next.
   */
  public static FencingTokens takeEpoch(Database db, String node, Instant now) {
    for (int attempt = 0; ; attempt++) {
      try {
        long epoch =
            db.inTransaction(
                c -> {
                  long next = Sql.count(c, "SELECT COALESCE(MAX(epoch), 0) + 1 FROM controller_epochs");
                  Sql.update(c, "INSERT INTO controller_epochs (epoch, started_at, node) VALUES (?, ?, ?)", next, now.toEpochMilli(), node);
                  return next;
                });
        db.forceToDisk();
        return new FencingTokens(epoch);
      } catch (Database.StoreException e) {
        if (attempt >= 20 || !(e.getCause() instanceof java.sql.SQLException q && Dialect.duplicateKey(q))) {
          throw e;
        }
      }
    }
  }

  /**
   * Moves the epochs {@code n} past the last one recorded (a restored store: the lost one may have
   * started again after its backup and granted tokens this copy never saw). Returns the next epoch.
   */
  public static long skipEpochs(java.sql.Connection c, int n, String node, Instant now) throws java.sql.SQLException {
    long skipped = Sql.count(c, "SELECT COALESCE(MAX(epoch), 0) FROM controller_epochs") + n;
    Sql.update(c, "INSERT INTO controller_epochs (epoch, started_at, node) VALUES (?, ?, ?)", skipped, now.toEpochMilli(), node);
    return skipped + 1;
  }

  public long epoch() {
    return epoch;
  }

  /** A token no lease of any job has had, in this start or any earlier one. */
  public long next() {
    long n = granted.incrementAndGet();
    if (n >= (1L << 32)) {
      throw new IllegalStateException("epoch " + epoch + " has granted 2^32 leases: restart the controller for a new epoch");
    }
    return (epoch << 32) | n;
  }
}
