package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.limits.AccountCounters;
import java.sql.SQLException;
import java.util.List;

/**
 * 5. The account's budgets for this kind of action (posts per day and hour, private messages,
 * Moments, mini-programs, files): a spent budget makes the job wait; a raised cap lets it go today.
 * Only checked here: the budget is taken with the lease.
 */
public final class AccountBudgetRule implements ClaimRule {
  @Override
  public String name() {
    return "account-budget";
  }

  @Override
  public boolean accountWide() {
    return false;
  }

  @Override
  public Verdict decide(ClaimContext ctx, Candidate job) throws SQLException {
    if (job.verifying()) {
      return Verdict.go(); // a job that may have sent still holds what its attempt took
    }
    List<AccountCounters.Need> needs = AccountCounters.needs(job.action(), ctx.limits(), ctx.local());
    AccountCounters.Need full = AccountCounters.full(ctx.connection(), ctx.accountId(), needs, ctx.counters());
    if (full == null) {
      return Verdict.go();
    }
    return Verdict.waitUntil(name(), null, "account budget " + full.counter() + " spent for " + full.period() + " (" + full.cap() + ")");
  }
}
