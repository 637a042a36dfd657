package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.HeldLease;
import com.wecomrpa.protocol.Outcome;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable before acknowledged, and fencing tokens that never repeat: a store in its own JVM is
 * killed with SIGKILL right after a lease commit returned, and the store opened again must hold
 * every lease it granted; a lease the store lost is never granted again under the same token and
 * is treated as a possible send.
 */
class StoreCrashTest {
  @TempDir Path dir;

  @Test
  void everyLeaseGrantedBeforeASigkillIsThereAfterReopening() throws Exception {
    Path data = dir.resolve("store");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LeaseGrantingProcess.class.getName(), data.toString(), "150")
        .redirectErrorStream(true).start();
    Map<String, Long> granted = new LinkedHashMap<>();
    long firstEpoch;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long epoch = -1;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("epoch ")) {
          epoch = Long.parseLong(line.substring(6));
        } else if (line.startsWith("leased ")) {
          String[] f = line.split(" ");
          granted.put(f[1], Long.parseLong(f[2]));
          if (granted.size() == 60) {
            // The 60th lease was acknowledged a moment ago: kill the process now, no goodbye.
            p.destroyForcibly();
            break;
          }
        }
      }
      firstEpoch = epoch;
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("killed with SIGKILL").isEqualTo(137);
    assertThat(granted).hasSize(60);
    assertThat(firstEpoch).isPositive();

    try (StoreFixture reopened = new StoreFixture(data)) {
      for (Map.Entry<String, Long> g : granted.entrySet()) {
        Job j = reopened.jobs.queries().find(g.getKey()).orElseThrow();
        assertThat(j.state()).as(g.getKey()).isEqualTo(JobState.LEASED);
        assertThat(j.leaseToken()).as(g.getKey()).isEqualTo(g.getValue());
      }
      assertThat(reopened.tokens.epoch()).as("a new epoch at each start").isGreaterThan(firstEpoch);
      Instant now = Instant.now();
      ControllerJobOffer next = reopened.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3).orElseThrow();
      assertThat(granted.values()).doesNotContain(next.fencingToken());
    }
  }

  @Test
  void aReportUnderALeaseTheStoreLostSendsTheJobToVerifyThenSendNeverToAPlainResend() {
    long lost;
    try (StoreFixture store = new StoreFixture(dir.resolve("s")).seed(1)) {
      Instant now = Instant.now();
      lost = store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3).orElseThrow().fencingToken();
      forgetLease(store, StoreFixture.job(1));
    }
    // The controller restarts; the agent that sent under the lost lease reports it.
    try (StoreFixture store = new StoreFixture(dir.resolve("s"))) {
      Instant now = Instant.now();
      ReportVerdict v = store.jobs.reports().applyReport("agent-1", report(StoreFixture.job(1), lost, Outcome.SUCCEEDED), null, now, now, 3);
      assertThat(v.accepted()).isTrue();
      Job j = store.jobs.queries().find(StoreFixture.job(1)).orElseThrow();
      assertThat(j.state()).isEqualTo(JobState.UNKNOWN);
      assertThat(j.reason()).contains("unknown to the controller");
      assertThat(groupPostsToday(store)).as("the lost lease's post counts again").isEqualTo(1);

      ControllerJobOffer again = store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3).orElseThrow();
      assertThat(again.verifySinceMillis()).as("offered as verify-then-send").isNotNull();
      assertThat(again.fencingToken()).isNotEqualTo(lost);
    }
  }

  @Test
  void anAgentHoldingALeaseTheStoreLostHasItAdoptedBeforeItsDeviceGetsAnything() {
    long lost;
    try (StoreFixture store = new StoreFixture(dir.resolve("s")).seed(2)) {
      Instant now = Instant.now();
      lost = store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3).orElseThrow().fencingToken();
      forgetLease(store, StoreFixture.job(1));
    }
    try (StoreFixture store = new StoreFixture(dir.resolve("s"))) {
      Instant now = Instant.now();
      List<HeldLease> standing = store.jobs.reports().reconcile("agent-1",
          List.of(new HeldLease(StoreFixture.job(1), lost, "dev-1", HeldLease.Phase.RUNNING, null)), now, now, Duration.ofMinutes(10));
      assertThat(standing).extracting(HeldLease::jobId).containsExactly(StoreFixture.job(1));
      Job j = store.jobs.queries().find(StoreFixture.job(1)).orElseThrow();
      assertThat(j.state()).isEqualTo(JobState.RUNNING);
      assertThat(j.leaseToken()).isEqualTo(lost);
      assertThat(store.jobs.queries().executions(StoreFixture.job(1))).hasSize(1);

      // Its report now applies as any other; the next claim is the other group's job.
      assertThat(store.jobs.reports().applyReport("agent-1", report(StoreFixture.job(1), lost, Outcome.SUCCEEDED), null, now, now, 3).newState())
          .isEqualTo(JobState.SUCCEEDED);
      Optional<ControllerJobOffer> next = store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3);
      assertThat(next).map(ControllerJobOffer::jobId).contains(StoreFixture.job(2));
    }
  }

  /** What a store that lost its last commits looks like: the job queued again, its lease and post gone. */
  private static void forgetLease(StoreFixture store, String jobId) {
    store.db.inTransaction(c -> {
      Sql.update(c, "DELETE FROM executions WHERE job_id = ?", jobId);
      Sql.update(c, "UPDATE jobs SET state = 'QUEUED', lease_token = 0, lease_expires_at = NULL, attempts = 0, quota_day = NULL, counters = NULL WHERE id = ?", jobId);
      Sql.update(c, "DELETE FROM group_day_usage");
      return null;
    });
  }

  private static long groupPostsToday(StoreFixture store) {
    return store.db.inTransaction(c -> Sql.count(c, "SELECT COALESCE(SUM(used), 0) FROM group_day_usage"));
  }

  private static AgentJobReport report(String jobId, long token, Outcome outcome) {
    return new AgentJobReport("r-" + token, jobId, token, "dev-1", outcome, null, null, null, Instant.now(), Instant.now(), "wecom-sim@1", null, null, null);
  }
}
