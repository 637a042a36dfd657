package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * A customer's jobs when the customer is erased (PIPL): none may be in flight; waiting ones end
 * CANCELLED; every one keeps its state and times but loses its content, the errors and evidence of
 * its attempts, and the customer's id (moved to a pseudonym). The screenshots its attempts left are
 * returned, for the caller to delete once this commits.
 */
public final class CustomerJobs {
  static final String ERASED = "{\"erased\":\"customer\"}";
  /** A customer's jobs a device holds now (its one parameter, the customer). */
  static final String IN_FLIGHT = "SELECT COUNT(*) FROM jobs WHERE customer_id = ? AND state IN ('LEASED', 'RUNNING')";

  private CustomerJobs() {}

  /** Jobs to the customer a device holds now (leased or running). */
  public static long inFlight(Connection c, String customerId) throws SQLException {
    return Sql.count(c, IN_FLIGHT, customerId);
  }

  /** Erases; returns the screenshot references to delete. */
  public static List<String> erase(Connection c, String customerId, String pseudonym, Instant now) throws SQLException {
    List<String> shots = Sql.list(c, "SELECT e.screenshot FROM executions e JOIN jobs j ON j.id = e.job_id WHERE j.customer_id = ? AND e.screenshot IS NOT NULL",
        rs -> rs.getString(1), customerId);
    Sql.update(c, "UPDATE executions SET screenshot = NULL, error = CASE WHEN error IS NULL THEN NULL ELSE 'erased' END, evidence = NULL"
        + " WHERE job_id IN (SELECT id FROM jobs WHERE customer_id = ?)", customerId);
    Sql.update(c, "UPDATE jobs SET state = 'CANCELLED', reason = 'the customer was erased', updated_at = ? WHERE customer_id = ? AND state IN ('QUEUED', 'UNKNOWN')",
        now.toEpochMilli(), customerId);
    Sql.update(c, "UPDATE jobs SET params = ?, customer_id = ? WHERE customer_id = ?", ERASED, pseudonym, customerId);
    return shots;
  }
}
