package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A store backed up with {@code bin/wecom-rpa backup} while a broadcast runs, the broadcast going
 * on after the copy, then the controller lost and its store restored from the copy into a new
 * folder with {@code bin/wecom-rpa restore}: what the copy believed unsent is looked for on the
 * device first, so the simulator's record holds exactly one message per group; no fencing token
 * the lost store granted (even in a start after the copy) is granted again.
 */
class BackupRestoreEndToEndTest {
  private static final int GROUPS = 6;
  @TempDir Path dir;
  private TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aBackupTakenMidBroadcastRestoredAfterMoreWasSentSendsNothingTwice() throws Exception {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.oneAccountWithGroups(IntStream.rangeClosed(1, GROUPS).mapToObj(i -> "门店群 " + i).toArray(String[]::new));
    var first = stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    // Slow sends, so the copy is taken with some groups done and most still to go.
    stack.sim.setExtraSendDelay("acc-1", 700);
    JsonArray groups = new JsonArray();
    IntStream.rangeClosed(1, GROUPS).forEach(i -> groups.add("g-" + i));
    TestStack.await(stack.api.broadcastToGroups("b-1", "周末会员日，全场九折", groups));
    TestStack.waitUntil("two groups sent", Duration.ofSeconds(90), () -> succeeded() >= 2);

    // The online backup through the running controller, as an admin runs it.
    Path token = Files.writeString(dir.resolve("admin.token"), TestStack.ADMIN_TOKEN);
    Path backup = dir.resolve("copies").resolve("before.zip");
    int code = new CommandLine(new StoreCommands.Backup()).execute("--data", dir.resolve("controller").toString(), "--to", backup.toString(),
        "--controller", "http://127.0.0.1:" + stack.port(), "--token-file", token.toString());
    assertThat(code).as("backup exit code").isZero();
    assertThat(backup).isRegularFile();
    int doneAtBackup = succeeded();
    assertThat(new CommandLine(new StoreCommands.Backup()).execute("--data", dir.resolve("controller").toString(), "--to", backup.toString()))
        .as("a backup never overwrites a file").isEqualTo(2);

    java.util.Set<Long> atBackup = new java.util.HashSet<>(tokens());
    // The broadcast goes on after the copy, the controller even starts again (a new epoch the copy
    // never saw); then the controller and its folder are lost.
    stack.restartController();
    TestStack.waitUntil("every group sent", Duration.ofSeconds(120), () -> succeeded() == GROUPS);
    assertThat(doneAtBackup).as("groups done when the copy was taken").isLessThan(GROUPS);
    long lastToken = tokens().stream().mapToLong(Long::longValue).max().orElseThrow();
    stack.stopController();
    Files.move(dir.resolve("controller"), dir.resolve("controller-lost"));
    // The farm host is replaced too: its agent's journal (what it sent) is gone with it, so only
    // the device itself can say what went out.
    TestStack.await(first.kill());
    stack.forget(first);

    assertThat(new CommandLine(new StoreCommands.Restore()).execute("--from", backup.toString(), "--data", dir.resolve("controller-lost").toString()))
        .as("a restore refuses a folder that is not empty").isEqualTo(2);
    assertThat(new CommandLine(new StoreCommands.Restore()).execute("--from", backup.toString(), "--data", dir.resolve("controller").toString()))
        .as("restore exit code").isZero();
    stack.startController();
    stack.startAgent("agent-2", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    TestStack.waitUntil("the restored store settles every group", Duration.ofSeconds(120), () -> succeeded() == GROUPS);

    for (int i = 1; i <= GROUPS; i++) {
      assertThat(stack.sim.world().messagesOf("g-" + i)).extracting(ChatWorld.ChatMessage::text)
          .as("g-%d: exactly one message", i).containsExactly("周末会员日，全场九折");
    }
    List<String> evidence = new ArrayList<>();
    for (Object o : stack.getArray("/jobs?broadcastId=b-1")) {
      for (Object e : executions(((JsonObject) o).getString("id"))) {
        if (((JsonObject) e).getString("evidence") != null) {
          evidence.add(((JsonObject) e).getString("evidence"));
        }
      }
    }
    assertThat(evidence).as("the groups sent after the copy were found on the device, not sent again")
        .hasSize(GROUPS - doneAtBackup).allMatch(e -> e.contains("verified before resend"));
    List<Long> granted = tokens().stream().filter(t -> !atBackup.contains(t)).toList();
    assertThat(granted).as("leases granted by the restored store").isNotEmpty().allMatch(t -> t > lastToken);
    assertThat(stack.getArray("/audit").stream().map(a -> ((JsonObject) a).getString("action"))).contains("store.backup");
  }

  private int succeeded() {
    JsonObject b = stack.getObject("/broadcasts/b-1");
    return b == null ? 0 : b.getJsonObject("progress").getInteger("SUCCEEDED", 0);
  }

  private JsonArray executions(String job) {
    return stack.getArray("/jobs/" + URLEncoder.encode(job, StandardCharsets.UTF_8) + "/executions");
  }

  /** Every fencing token the store's executions of b-1 record. */
  private List<Long> tokens() {
    List<Long> out = new ArrayList<>();
    for (Object o : stack.getArray("/jobs?broadcastId=b-1")) {
      for (Object e : executions(((JsonObject) o).getString("id"))) {
        out.add(((JsonObject) e).getLong("leaseToken"));
      }
    }
    return out;
  }
}
