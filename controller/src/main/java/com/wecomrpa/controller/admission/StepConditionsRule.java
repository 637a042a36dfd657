package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.conditions.StepGuard;
import java.sql.SQLException;
import java.util.Optional;

/**
 * 6. A customer plan step's {@code unless} and its plan's {@code exitOn}, looked at as the step is
 * about to go: a step whose condition holds is skipped saying what was seen ("unless replied:
 * customer cu-7 wrote at ..."); an exit ends the rest of the run the same way.
 */
public final class StepConditionsRule implements ClaimRule {
  public static final String NAME = "step-conditions";

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
    if (job.verifying() || job.guard() == null) {
      return Verdict.go();
    }
    Optional<StepGuard.Stop> stop = StepGuard.check(ctx.connection(), job.customerId(), job.guard());
    return stop.map(s -> Verdict.skip(name(), s.reason())).orElse(Verdict.go());
  }
}
