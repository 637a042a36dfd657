package com.wecomrpa.controller.admission;

import java.sql.SQLException;

/**
 * One check a job passes before it is leased, applied inside the claim's transaction. An
 * account-wide rule that says wait stops the claim for the whole account (nothing of it goes now);
 * a job rule that says wait passes over that job only. A rule that reserves something (the group's
 * day) does so when it says go, in the same transaction, so a later refusal rolls it back.
 */
public interface ClaimRule {
  /** The name a waiting or skipped job shows, e.g. {@code pace}. */
  String name();

  boolean accountWide();

  Verdict decide(ClaimContext ctx, Candidate job) throws SQLException;
}
