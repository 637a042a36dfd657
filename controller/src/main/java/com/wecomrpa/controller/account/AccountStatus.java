package com.wecomrpa.controller.account;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Every change of an account's status, by name, in the caller's transaction: an admin pauses or
 * resumes it; a risk signal cools it (until a time) or restricts it (until an admin resumes it); a
 * cooling whose time has passed is lifted when the account is next looked at. The claim rules read
 * the status; only this class writes it.
 */
public final class AccountStatus {
  public static final String ACTIVE = "active";
  public static final String PAUSED = "paused";
  public static final String COOLING = "cooling";
  public static final String RESTRICTED = "restricted";

  private AccountStatus() {}

  /** The account's status now, after lifting a cooling whose time has passed. */
  public static String liftCoolingIfDue(Connection c, String accountId, String status, Long coolingUntil, Instant now) throws SQLException {
    if (status.equals(COOLING) && coolingUntil != null && coolingUntil <= now.toEpochMilli()) {
      Sql.update(c, "UPDATE accounts SET status = 'active' WHERE id = ? AND status = 'cooling'", accountId);
      return ACTIVE;
    }
    return status;
  }

  /** An admin's pause ({@code paused}) or resume ({@code active}); a resume also ends a cooling or restriction. */
  public static void setByHand(Connection c, String accountId, String status) throws SQLException {
    Sql.update(c, "UPDATE accounts SET status = ?, cooling_until = NULL WHERE id = ?", status, accountId);
  }

  /** A "too frequent" warning: the account stops until {@code until}; one more signal counted. */
  public static void cool(Connection c, String accountId, Instant until) throws SQLException {
    Sql.update(c, "UPDATE accounts SET status = 'cooling', cooling_until = ?, risk_count = risk_count + 1 WHERE id = ?", until.toEpochMilli(), accountId);
  }

  /** A restriction, a forced logout, a captcha: the account stops until an admin resumes it. */
  public static void restrict(Connection c, String accountId) throws SQLException {
    Sql.update(c, "UPDATE accounts SET status = 'restricted', cooling_until = NULL, risk_count = risk_count + 1 WHERE id = ?", accountId);
  }
}
