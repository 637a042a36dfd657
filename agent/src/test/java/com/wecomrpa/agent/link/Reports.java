package com.wecomrpa.agent.link;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.Outcome;
import java.time.Instant;

/** Reports the link's tests keep, send and forget. */
final class Reports {
  private Reports() {}

  /** A succeeded attempt of {@code job} on dev-1. */
  static AgentJobReport aReport(String id, String job) {
    return new AgentJobReport(id, job, 1, "dev-1", Outcome.SUCCEEDED, null, null, null, Instant.now(), Instant.now(), "wecom-sim@1", null, null, null);
  }
}
