package com.wecomrpa.controller.admission;


/** 1. The account takes work only when active: paused, cooling or restricted accounts wait. */
public final class AccountStatusRule implements ClaimRule {
  @Override
  public String name() {
    return "account-status";
  }

  @Override
  public boolean accountWide() {
    return true;
  }

  @Override
  public Verdict decide(ClaimContext ctx, Candidate job) {
    return switch (ctx.accountStatus()) {
      case "active" -> Verdict.go();
      case "cooling" -> Verdict.waitUntil(name(), ctx.coolingUntil(), "account " + ctx.accountId() + " is cooling after a risk signal"
          + (ctx.coolingUntil() == null ? "" : " until " + ctx.coolingUntil()));
      default -> Verdict.waitUntil(name(), null, "account " + ctx.accountId() + " is " + ctx.accountStatus());
    };
  }
}
