package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.limits.AccountCounters;
import com.wecomrpa.controller.limits.EffectiveLimits;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;

/**
 * What the rules of one claim look at: the claim's transaction (the account row is locked), the
 * account as read under that lock, its limits as they apply now, the time in its zone, its
 * counters of this day and hour where they were read with the lock (null: a rule reads them), and
 * where it was read with the lock too, the day's posts of the first head's group (null: none read).
 */
public record ClaimContext(
    Connection connection, String accountId, String accountStatus, Instant coolingUntil, Instant nextActionAt, EffectiveLimits limits,
    Instant now, ZonedDateTime local, AccountCounters.Snapshot counters, GroupDay groupDay) {
  public ClaimContext(
      Connection connection, String accountId, String accountStatus, Instant coolingUntil, Instant nextActionAt, EffectiveLimits limits,
      Instant now, ZonedDateTime local) {
    this(connection, accountId, accountStatus, coolingUntil, nextActionAt, limits, now, local, null, null);
  }

  /** A group's posts taken on a day, as read under the account's lock. */
  public record GroupDay(String groupId, LocalDate day, int used) {}

  /**
   * Whether {@code job}'s post of the day is checked against {@link #groupDay} and reserved by the
   * lease's own write (which holds only if the reservation does), instead of reserved by the rule.
   * Nothing else reserves the group's day while the account is locked, so the count read stands.
   */
  public boolean reservesWithLease(Candidate job) {
    return groupDay != null && !job.verifying() && job.groupPost() && groupDay.groupId().equals(job.groupId()) && groupDay.day().equals(local.toLocalDate());
  }
}
