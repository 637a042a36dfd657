package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.cadence.CadenceCheck;
import com.wecomrpa.controller.cadence.CustomerCadence;
import java.sql.SQLException;
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

  private final CadenceCheck cadence;

  public CustomerCadenceRule(CadenceCheck cadence) {
    this.cadence = cadence;
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
    Optional<String> full = cadence.full(c, job.customerId(), ctx.now());
    if (full.isPresent()) {
      return Verdict.skip(name(), full.get());
    }
    // Taken even with no cadence set: a cadence set later counts what was already sent.
    CustomerCadence.take(c, job.jobId(), job.customerId(), ctx.now());
    return Verdict.go();
  }
}
