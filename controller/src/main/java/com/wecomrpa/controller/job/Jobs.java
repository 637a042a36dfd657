package com.wecomrpa.controller.job;

import com.wecomrpa.controller.admission.ClaimRules;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import java.util.random.RandomGenerator;

/**
 * The job store, by idea: intake (queue), claims (admission and lease), reports (start, renew,
 * report, reconcile), expiry (leases and windows that run out), queries (read models), the
 * transitions other parts ask for (ranked out or in, cancelled), and the jobs the controller does
 * itself (calls). Only these classes write the
 * {@code jobs} table.
 */
public record Jobs(
    JobIntake intake, JobClaims claims, JobReports reports, LeaseExpiry expiry, JobQueries queries, JobTransitions transitions, ControllerCalls calls) {
  public static Jobs open(Database db, GroupDailyQuota quota, JdbcLimitStore limits, RandomGenerator random, FencingTokens tokens) {
    Reservations reservations = new Reservations(quota);
    return new Jobs(
        new JobIntake(),
        new JobClaims(db, limits, random, tokens, ClaimRules.standard(quota, limits)),
        new JobReports(db, limits, reservations, new LostLeases(quota)),
        new LeaseExpiry(db, reservations),
        new JobQueries(db),
        new JobTransitions(),
        new ControllerCalls(db, tokens));
  }
}
