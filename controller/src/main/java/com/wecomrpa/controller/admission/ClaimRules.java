package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.cadence.CadenceCheck;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import java.sql.SQLException;
import java.util.List;

/**
 * The claim's admission rules in their fixed order (documented in docs/limits.md): account status,
 * active hours, pace, window, account budget, step conditions, customer cadence, group daily cap. The first that does not say go
 * decides; cheap account-wide checks come first, the rule that reserves comes last.
 */
public final class ClaimRules {
  private final List<ClaimRule> rules;

  public ClaimRules(List<ClaimRule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static ClaimRules standard(GroupDailyQuota quota, JdbcLimitStore limits) {
    return new ClaimRules(List.of(new AccountStatusRule(), new ActiveHoursRule(), new PaceRule(), new WindowRule(), new AccountBudgetRule(),
        new StepConditionsRule(), new CustomerCadenceRule(new CadenceCheck(limits)), new GroupDailyCapRule(quota)));
  }

  /** The rules that apply to the account as a whole, before any job is looked at. */
  public Verdict forAccount(ClaimContext ctx, Candidate head) throws SQLException {
    for (ClaimRule r : rules) {
      if (r.accountWide()) {
        Verdict v = r.decide(ctx, head);
        if (!v.goes()) {
          return v;
        }
      }
    }
    return Verdict.go();
  }

  /** The rules about one job, in order; the first that does not say go decides. */
  public Verdict forJob(ClaimContext ctx, Candidate job) throws SQLException {
    for (ClaimRule r : rules) {
      if (!r.accountWide()) {
        Verdict v = r.decide(ctx, job);
        if (!v.goes()) {
          return v;
        }
      }
    }
    return Verdict.go();
  }

  public List<String> names() {
    return rules.stream().map(ClaimRule::name).toList();
  }
}
