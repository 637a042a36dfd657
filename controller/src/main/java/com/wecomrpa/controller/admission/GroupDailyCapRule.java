package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Sql;
import java.sql.Date;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;

/**
 * 8. Posts per group per calendar day, under the account's effective cap (overrides and warm-up
 * included; the same value the SOP ranking uses). Going reserves the post in the claim's
 * transaction (here, or with the lease where the day's count was read with the account's lock:
 * {@link ClaimContext#reservesWithLease}); a full day skips the job, naming what holds the day.
 */
public final class GroupDailyCapRule implements ClaimRule {
  /** The rule's name, what a job it skipped shows as decided by. */
  public static final String NAME = "group-daily-cap";

  private final GroupDailyQuota quota;

  public GroupDailyCapRule(GroupDailyQuota quota) {
    this.quota = quota;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean accountWide() {
    return false;
  }

  @Override
  public Verdict decide(ClaimContext ctx, Candidate job) throws SQLException {
    if (job.verifying() || !job.groupPost()) {
      return Verdict.go();
    }
    LocalDate day = ctx.local().toLocalDate();
    int cap = ctx.limits().number(LimitName.POSTS_PER_GROUP_PER_DAY);
    if (ctx.reservesWithLease(job) ? cap > 0 && ctx.groupDay().used() < cap : quota.reserve(ctx.connection(), job.groupId(), day, cap)) {
      return Verdict.go();
    }
    List<String> holders = Sql.list(ctx.connection(),
        "SELECT DISTINCT source_id FROM jobs WHERE group_id = ? AND quota_day = ? AND state IN ('LEASED', 'RUNNING', 'SUCCEEDED', 'UNKNOWN') ORDER BY 1",
        rs -> rs.getString(1), job.groupId(), Date.valueOf(day));
    return Verdict.skip(name(), "quota:group-daily; " + cap + " posts on " + day + " won by " + String.join(", ", holders));
  }
}
