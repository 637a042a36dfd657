package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.store.LocalPostgres;
import com.wecomrpa.protocol.AgentJobStarted;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device busy with a job while the database is away cannot be heard (its report and renewals are
 * refused as not stored): a lease that ran out meanwhile is not ended the moment the database is
 * back, before the agent could say anything, but only once the node has heard the agents again.
 */
class LeaseHearingTest {
  private static final Duration LEASE = Duration.ofSeconds(6);
  @TempDir Path dir;

  @Test
  void aLeaseThatRanOutWhileTheDatabaseWasAwayTakesTheReportThatComesRightAfter() {
    Path pgDir = LocalPostgres.temporaryFolder("wecom-rpa-hearing-pg-");
    LocalPostgres pg = LocalPostgres.start(pgDir, 0);
    String url = pg.database("hearing");
    // Heartbeats every 3 s: the node listens 6 s (two heartbeats) after it could not hear.
    RunningController controller = RunningController.start(dir, Fixtures.middayInShanghai(),
        o -> o.withLeases(LEASE, Duration.ofSeconds(3)).withDb(url, pg.credentials()));
    try (ProtocolAgent a = ProtocolAgent.connect(controller.agentUri(), "agent-1", RunningController.AGENT_TOKEN, "dev-1", "acc-1")) {
      controller.post("/accounts", Fixtures.anAccount("acc-1"));
      controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "store"));
      a.next(ControllerWelcome.class, 30_000);
      controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
      ControllerJobOffer offer = a.next(ControllerJobOffer.class, 30_000);
      a.send(new AgentJobStarted(offer.jobId(), offer.fencingToken(), offer.deviceId()));
      controller.await("/jobs/" + offer.jobId(), j -> "RUNNING".equals(j.get("state").asText()), Duration.ofSeconds(10));
      Instant leaseEnds = Instant.now().plus(LEASE);

      pg.crash();
      // The outage outlasts the lease (the agent's heartbeats carry no lease to renew it either way).
      Eventually.waitUntil("the lease has run out with the database away", LEASE.plusSeconds(30), () -> Instant.now().isAfter(leaseEnds.plusSeconds(1)));
      pg.startAgain();
      controller.await("/jobs/" + offer.jobId(), j -> j.has("state"), Duration.ofSeconds(60));
      // Sweeps that would have ended the lease at once have run on the database that is back.
      controller.awaitLeaseSweeps(3);

      a.send(Fixtures.aReport(offer, Outcome.SUCCEEDED));
      ControllerReportAck ack = a.next(ControllerReportAck.class, 30_000);
      assertThat(ack.accepted()).as("the report sent right after the database came back: " + ack.reason()).isTrue();
      var job = controller.await("/jobs/" + offer.jobId(), j -> "SUCCEEDED".equals(j.get("state").asText()), Duration.ofSeconds(10)).body();
      assertThat(job.get("attempts").asInt()).as("one attempt, never offered again").isEqualTo(1);
    } finally {
      controller.close();
      pg.discard();
    }
  }
}
