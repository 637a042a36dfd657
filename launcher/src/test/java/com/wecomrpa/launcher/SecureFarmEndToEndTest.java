package com.wecomrpa.launcher;

import static com.wecomrpa.launcher.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.simulator.ChatWorld;
import com.wecomrpa.testing.Eventually;
import com.wecomrpa.time.ManualClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A farm across networks: the controller serves https and wss from a certificate made for
 * 127.0.0.1; an agent that trusts its CA sends, one that trusts another CA or reaches it by a name
 * the certificate does not hold refuses to connect and says why; an agent's own token, rotated in
 * its file while it runs and the old one revoked, carries the broadcast on with nothing lost or
 * repeated; and no secret ends up in a log or a data file.
 */
class SecureFarmEndToEndTest {
  @TempDir Path dir;
  final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T04:00:00Z"));
  TestStack stack;

  @AfterEach
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void anAgentTrustsOnlyTheRightCertificateAndRotatesItsTokenWithoutLosingAJob() throws Exception {
    Certificates.Pair good = Certificates.selfSigned(dir.resolve("tls"), "controller", "ip:127.0.0.1");
    Certificates.Pair other = Certificates.selfSigned(dir.resolve("tls"), "other-ca", "ip:127.0.0.1");
    stack = TestStack.start(dir, clock, false, o -> o.withTls(new ControllerOptions.Tls(good.cert(), good.key())));
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      names.add("安全群" + i);
    }
    stack.oneAccountWithGroups(names.toArray(String[]::new));
    List<DeviceProfile> devices = List.of(stack.device("dev-1", "acc-1"));

    // The agent's own token: bound to its id and device, kept in a file only its owner reads.
    JsonObject first = await(stack.api.postRaw("/tokens", new JsonObject().put("name", "farm-7 agent").put("role", "agent")
        .put("agentId", "farm-7").put("devices", new JsonArray().add("dev-1")))).bodyAsJsonObject();
    Path tokenFile = dir.resolve("farm-7.token");
    Files.writeString(tokenFile, first.getString("token") + "\n");

    Path agentLogs = dir.resolve("farm-7");
    Agent wrongCa = stack.agent("farm-7", "wss://127.0.0.1:" + stack.port() + "/agent", tokenFile, other.cert(), devices);
    assertThatThrownBy(() -> await(wrongCa.start())).hasMessageContaining("not signed by a trusted CA");
    await(wrongCa.stop());
    stack.forget(wrongCa);
    Agent wrongHost = stack.agent("farm-7", "wss://localhost:" + stack.port() + "/agent", tokenFile, good.cert(), devices);
    assertThatThrownBy(() -> await(wrongHost.start())).hasMessageContaining("does not match the host name");
    await(wrongHost.stop());
    stack.forget(wrongHost);

    Agent agent = stack.agent("farm-7", "wss://127.0.0.1:" + stack.port() + "/agent", tokenFile, good.cert(), devices);
    await(agent.start());
    await(stack.api.broadcastToGroups("secure", "仅限会员的活动", new JsonArray(groupIds(12))));
    awaitSent(4, Duration.ofMinutes(2));

    // Rotation while it runs: a second token for the same agent, written to its file, then the first revoked.
    JsonObject second = await(stack.api.postRaw("/tokens", new JsonObject().put("name", "farm-7 agent (rotated)").put("role", "agent")
        .put("agentId", "farm-7").put("devices", new JsonArray().add("dev-1")))).bodyAsJsonObject();
    Files.writeString(tokenFile, second.getString("token") + "\n");
    assertThat(await(stack.api.delete("/tokens/" + first.getString("id"))).statusCode()).isEqualTo(200);

    JsonObject b = awaitSettled("/broadcasts/secure", Duration.ofMinutes(3));
    assertThat(b.getJsonObject("progress").getInteger("SUCCEEDED")).as("every job done once the agent came back with its new token").isEqualTo(12);
    for (int i = 1; i <= 12; i++) {
      assertThat(stack.sim.world().messagesOf("g-" + i)).as("messages in g-%d", i).hasSize(1);
    }
    assertThat(Files.readString(logFile())).as("the revoked token's connection was closed").contains("was revoked; closing");

    // The revoked token opens nothing any more.
    Files.writeString(tokenFile, first.getString("token") + "\n");
    Agent revoked = stack.agent("farm-8", "wss://127.0.0.1:" + stack.port() + "/agent", tokenFile, good.cert(), List.of(stack.device("dev-9", "acc-1")));
    assertThatThrownBy(() -> await(revoked.start())).hasMessageContaining("invalid agent token");
    await(revoked.stop());
    stack.forget(revoked);

    // No secret in any log or data file, except the token file the agent reads and the key the controller serves with.
    List<String> secrets = List.of(first.getString("token"), second.getString("token"), TestStack.ADMIN_TOKEN, TestStack.TOKEN,
        keyBody(good.key()));
    List<Path> files = new ArrayList<>();
    // The devices' browsers still write their caches: a file or folder gone mid-walk is passed over.
    Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes attrs) {
        if (attrs.isRegularFile() && !p.equals(tokenFile) && !p.getFileName().toString().endsWith(".key")) {
          files.add(p);
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFileFailed(Path p, java.io.IOException e) {
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult postVisitDirectory(Path d, java.io.IOException e) {
        return java.nio.file.FileVisitResult.CONTINUE;
      }
    });
    files.add(logFile());
    for (Path f : files) {
      String text;
      try {
        text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      } catch (java.nio.file.NoSuchFileException gone) {
        continue; // a browser's cache file removed since the walk holds nothing any more
      }
      for (String s : secrets) {
        assertThat(text).as("%s holds no secret", f).doesNotContain(s);
      }
    }
    assertThat(files.size()).as("the database, agent journals and logs were looked at").isGreaterThan(5);
  }

  private static Path logFile() {
    return Path.of("target", "test-logs", "launcher.log");
  }

  private static String keyBody(Path key) throws Exception {
    return Files.readAllLines(key).get(1);
  }

  private static List<String> groupIds(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add("g-" + i);
    }
    return out;
  }

  private void awaitSent(int n, Duration timeout) {
    Eventually.settle(timeout, () -> stack.sim.world().messageCounts().values().stream().mapToInt(Integer::intValue).sum(), sent -> sent >= n);
  }

  private JsonObject awaitSettled(String path, Duration timeout) {
    return Eventually.settle(timeout, () -> stack.getObject(path), TestStack::settled);
  }
}
