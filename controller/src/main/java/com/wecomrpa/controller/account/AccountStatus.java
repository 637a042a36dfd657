package com.wecomrpa.controller.account;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * How an account's status moves on its own: a cooling account whose cooling time has passed is
 * active again. (Pausing and resuming are an admin's, in {@link JdbcAccountStore}; cooling and
 * restricting are the risk response's.)
 */
public final class AccountStatus {
  private AccountStatus() {}

  /** The account's status now, after lifting a cooling whose time has passed (in the caller's transaction). */
  public static String liftCoolingIfDue(Connection c, String accountId, String status, Long coolingUntil, Instant now) throws SQLException {
    if (status.equals("cooling") && coolingUntil != null && coolingUntil <= now.toEpochMilli()) {
      Sql.update(c, "UPDATE accounts SET status = 'active' WHERE id = ? AND status = 'cooling'", accountId);
      return "active";
    }
    return status;
  }
}
