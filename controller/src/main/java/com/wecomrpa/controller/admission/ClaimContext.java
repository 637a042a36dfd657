package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.limits.EffectiveLimits;
import java.sql.Connection;
import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * What the rules of one claim look at: the claim's transaction (the account row is locked), the
 * account as read under that lock, its limits as they apply now, and the time in its zone.
 */
public record ClaimContext(
    Connection connection, String accountId, String accountStatus, Instant coolingUntil, Instant nextActionAt, EffectiveLimits limits,
    Instant now, ZonedDateTime local) {}
