package com.wecomrpa.controller.admission;


/** 3. Human pace: the account's next action no sooner than its gap (with jitter) after the last. */
public final class PaceRule implements ClaimRule {
  @Override
  public String name() {
    return "pace";
  }

  @Override
  public boolean accountWide() {
    return true;
  }

  @Override
  public Verdict decide(ClaimContext ctx, Candidate job) {
    if (ctx.nextActionAt() == null || !ctx.nextActionAt().isAfter(ctx.now())) {
      return Verdict.go();
    }
    return Verdict.waitUntil(name(), ctx.nextActionAt(), "account " + ctx.accountId() + " keeps a gap between actions: next at " + ctx.nextActionAt());
  }
}
