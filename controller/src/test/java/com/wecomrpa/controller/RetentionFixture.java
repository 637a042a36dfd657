package com.wecomrpa.controller;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.Outcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** A store for the retention test: one job sent with a screenshot, one still waiting, the audit of both. */
public final class RetentionFixture {
  private RetentionFixture() {}

  public static void write(Path dir) {
    RunningController controller = RunningController.start(dir, Clock.systemUTC(), o -> o);
    try {
      controller.post("/accounts", Fixtures.anAccount("acc-1"));
      controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store"));
      // Something audited.
      controller.put("/limits/global", "{\"values\":{\"customerCadence\":\"1/7d\"},\"reason\":\"once a week\"}");
      try (ProtocolAgent a = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1")) {
        a.next(ControllerWelcome.class, 30_000);
        controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "sent long ago", "g-1"));
        ControllerJobOffer o = a.next(ControllerJobOffer.class, 30_000);
        a.send(new AgentJobReport(UUID.randomUUID().toString(), o.jobId(), o.fencingToken(), o.deviceId(), Outcome.SUCCEEDED, null, null,
            Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}), Instant.now(), Instant.now(), "test@1", null, null, null));
        a.next(ControllerReportAck.class, 30_000);
        controller.await("/jobs/" + o.jobId(), j -> "SUCCEEDED".equals(j.get("state").asText()), Duration.ofSeconds(10));
      }
      // No device now: this one waits.
      controller.post("/broadcasts", Fixtures.aBroadcast("b-2", "still waiting", "g-1"));
    } finally {
      controller.close();
    }
  }
}
