package com.wecomrpa.controller.risk;

import com.wecomrpa.controller.account.AccountStatus;

import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * What the controller does when an account shows a risk state: it stops the account at once.
 * "Too frequent" cools it down for the configured time, doubling with each repeat (at most a
 * week); a restriction, a forced logout or a captcha needs a person, so the account stays
 * restricted until an admin resumes it. Either way an alert is raised.
 */
public final class RiskResponse {
  private static final Duration LONGEST = Duration.ofDays(7);

  private RiskResponse() {}

  /**
   * A stopped account's groups and customers need another account: the active one holding the
   * fewest groups is offered, and the call that does it named.
   */
  private static String handoverOffer(Connection c, String accountId) throws SQLException {
    return Sql.one(c, "SELECT id, group_count FROM accounts WHERE status = 'active' AND id <> ? ORDER BY group_count, id LIMIT 1",
            rs -> "; hand its groups and customers over to " + rs.getString(1) + " (holds " + rs.getInt(2) + " groups): POST /accounts/" + accountId
                + "/handover, or see GET /accounts/" + accountId + "/handover-targets", accountId)
        .orElse("; no active account to hand its groups and customers over to");
  }

  /** Returns the account's new status. Runs inside the report's transaction. */
  public static String apply(Connection c, String accountId, String jobId, String signal, Duration cooldown, Instant now) throws SQLException {
    int before = (int) Sql.count(c, "SELECT risk_count FROM accounts WHERE id = ? FOR UPDATE", accountId);
    String status;
    String detail;
    if (signal.equals("too-frequent")) {
      Duration wait = cooldown.multipliedBy(1L << Math.min(before, 10));
      if (wait.compareTo(LONGEST) > 0) {
        wait = LONGEST;
      }
      Instant until = now.plus(wait);
      AccountStatus.cool(c, accountId, until);
      status = AccountStatus.COOLING;
      detail = "account " + accountId + " showed " + signal + " (signal " + (before + 1) + "); cooling until " + until;
    } else {
      AccountStatus.restrict(c, accountId);
      status = AccountStatus.RESTRICTED;
      detail = "account " + accountId + " showed " + signal + "; stopped until an admin resumes it" + handoverOffer(c, accountId);
    }
    JdbcAlertStore.insert(c, accountId, "risk:" + signal, JdbcAlertStore.subject("account", accountId), detail, jobId, now);
    return status;
  }
}
