package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controller, simulator and agent each in its own JVM, one broadcast, and SIGKILL at five moments:
 * the controller right after an offer (restarted only once the agent holds reports in its outbox),
 * the agent mid-send, the controller right after a report, both together, and the controller
 * between a lease and its report. The simulator's record is the judge.
 */
class CrashEndToEndTest {
  @TempDir Path dir;

  @Test
  void killedAtFiveMomentsOfABroadcastAndRestartedEveryGroupHoldsExactlyOneMessage() {
    if (TestStack.CHROMIUM.missing() != null) {
      throw new IllegalStateException(TestStack.CHROMIUM.missing() + " (.ci/run installs it)");
    }
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);
    CrashScenario.Result r = new CrashScenario(dir, Path.of("..", "scripts"), Fleet.of(2, 20), out).rehearse();
    String text = said.toString(StandardCharsets.UTF_8);
    System.out.print(text);

    assertThat(r.kills()).isEqualTo(5);
    assertThat(r.duplicates()).as("groups with a second message").isZero();
    assertThat(r.lost()).as("groups with no message").isZero();
    assertThat(r.open()).as("jobs not in a final state").isZero();
    assertThat(r.failed()).isZero();
    assertThat(r.sent()).isEqualTo(20);
    assertThat(r.reportsResent()).as("the agent kept reports while the controller was down and sent them after").isPositive();
    assertThat(text).contains("simulator check: all 20 groups hold exactly one message");
  }
}
