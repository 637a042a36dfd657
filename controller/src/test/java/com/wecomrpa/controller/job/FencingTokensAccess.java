package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.Database;
import java.time.Instant;

/** This start's fencing tokens for tests in other packages that open a store of their own. */
public final class FencingTokensAccess {
  private FencingTokensAccess() {}

  public static FencingTokens take(Database db) {
    return FencingTokens.takeEpoch(db, "test", Instant.now());
  }
}
