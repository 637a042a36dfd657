package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.cadence.CustomerCadence;
import com.wecomrpa.controller.limits.CadenceRate;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.store.Sql;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * 7. A customer's cadence across every plan and broadcast: a marketing private message goes only
 * while the customer has a free slot (e.g. 1 per 7 days, by stage, customer tag or globally), and
 * takes it in the claim's transaction. Over the cadence the job is skipped, naming the message that
 * used the slot. Replies and steps marked transactional carry no {@code marketing} touch.
 */
public final class CustomerCadenceRule implements ClaimRule {
  public static final String NAME = "customer-cadence";
  /** What marks a job as spending the cadence (see job.NewJob.MARKETING). */
  static final String MARKETING = "marketing";

  private final JdbcLimitStore limits;

  public CustomerCadenceRule(JdbcLimitStore limits) {
    this.limits = limits;
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
    if (job.verifying() || job.customerId() == null || !MARKETING.equals(job.touch())) {
      return Verdict.go();
    }
    var c = ctx.connection();
    if (CustomerCadence.holds(c, job.jobId())) {
      return Verdict.go();
    }
    String stage = Sql.one(c, "SELECT stage FROM customers WHERE id = ?", rs -> rs.getString(1), job.customerId()).orElse(null);
    List<String> tags = Sql.list(c, "SELECT tag FROM customer_tags WHERE customer_id = ?", rs -> rs.getString(1), job.customerId());
    CadenceRate.ForCustomer cadence = limits.cadenceFor(c, stage, tags);
    Optional<CadenceRate> rate = cadence.limited();
    if (rate.isPresent()) {
      long used = CustomerCadence.usedSince(c, job.customerId(), ctx.now().minus(Duration.ofDays(rate.get().days())));
      if (used >= rate.get().max()) {
        String last = CustomerCadence.latest(c, job.customerId()).map(s -> "; the slot was used by " + s.jobId() + " at " + s.takenAt()).orElse("");
        return Verdict.skip(name(), "cadence: customer " + job.customerId() + " gets at most " + rate.get().describe() + " (" + cadence.source() + ")" + last);
      }
    }
    CustomerCadence.take(c, job.jobId(), job.customerId(), ctx.now());
    return Verdict.go();
  }
}
