package com.wecomrpa.controller.admission;


/** 4. A job past its window is not sent late: a 15:29 coupon is not posted at 22:00. */
public final class WindowRule implements ClaimRule {
  @Override
  public String name() {
    return "window";
  }

  @Override
  public boolean accountWide() {
    return false;
  }

  @Override
  public Verdict decide(ClaimContext ctx, Candidate job) {
    // A job that may have sent is verified whenever it can be: its window was checked when it went out.
    if (job.verifying() || job.expiresAt() == null || !ctx.now().isAfter(job.expiresAt())) {
      return Verdict.go();
    }
    return Verdict.skip(name(), "expired");
  }
}
