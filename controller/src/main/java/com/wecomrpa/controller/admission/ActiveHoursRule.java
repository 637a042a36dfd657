package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.limits.LimitName;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/** 2. Nothing is sent outside the account's active hours (in its own time zone). */
public final class ActiveHoursRule implements ClaimRule {
  @Override
  public String name() {
    return "active-hours";
  }

  @Override
  public boolean accountWide() {
    return true;
  }

  @Override
  public Verdict decide(ClaimContext ctx, Candidate job) {
    if (ctx.limits().active(ctx.local().toLocalTime())) {
      return Verdict.go();
    }
    String hours = ctx.limits().values().get(LimitName.ACTIVE_HOURS.key()).value();
    LocalTime start = LocalTime.parse(hours.split("-")[0]);
    ZonedDateTime next = ctx.local().truncatedTo(ChronoUnit.MINUTES).with(start);
    if (!next.isAfter(ctx.local())) {
      next = next.plusDays(1);
    }
    return Verdict.waitUntil(name(), next.toInstant(), "outside active hours " + hours + " (" + ctx.local().getZone() + ")");
  }
}
