package com.wecomrpa.controller.cadence;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The slots of each customer's cadence: one row per marketing private message that was leased, sent
 * or may have been sent. Taken in the claim's transaction (the account row's lock serialises the
 * claims of the account that holds the customer), given back by a definite failure.
 */
public final class CustomerCadence {
  /** A slot in use: the job that took it and when. */
  public record Slot(String jobId, Instant takenAt) {}

  private CustomerCadence() {}

  /** Slots the customer used after {@code since}, and the latest of them. */
  public static long usedSince(Connection c, String customerId, Instant since) throws SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM cadence_slots WHERE customer_id = ? AND taken_at > ?", customerId, since.toEpochMilli());
  }

  public static Optional<Slot> latest(Connection c, String customerId) throws SQLException {
    return Sql.one(c, "SELECT job_id, taken_at FROM cadence_slots WHERE customer_id = ? ORDER BY taken_at DESC, job_id LIMIT 1",
        rs -> new Slot(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))), customerId);
  }

  public static boolean holds(Connection c, String jobId) throws SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM cadence_slots WHERE job_id = ?", jobId) > 0;
  }

  public static void take(Connection c, String jobId, String customerId, Instant at) throws SQLException {
    Sql.update(c, "INSERT INTO cadence_slots (job_id, customer_id, taken_at) VALUES (?, ?, ?)", jobId, customerId, at.toEpochMilli());
  }

  /** Nothing was sent: the slot goes back. */
  public static void release(Connection c, String jobId) throws SQLException {
    Sql.update(c, "DELETE FROM cadence_slots WHERE job_id = ?", jobId);
  }

  /** Erasure (PIPL): the customer's cadence slots. */
  public static int erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    return Sql.update(c, "DELETE FROM cadence_slots WHERE customer_id = ?", customerId);
  }
}
