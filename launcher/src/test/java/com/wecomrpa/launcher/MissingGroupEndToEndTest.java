package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure lands on what failed: a group renamed in the client mid-broadcast is the group's
 * problem. Its jobs are held after one attempt, an alert names it, the device stays healthy and
 * finishes the rest; once an operator gives the new name, each held job sends once.
 */
class MissingGroupEndToEndTest {
  @TempDir Path dir;
  TestStack stack;

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void aGroupRenamedInTheClientIsHeldAndAlertedWhileTheDeviceFinishesTheRestThenSendsOnceWhenRenamedBack() {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    String[] names = IntStream.rangeClosed(1, 12).mapToObj(i -> "门店群 " + i).toArray(String[]::new);
    stack.oneAccountWithGroups(names);
    // The shop renames group 5 in the client; the controller still knows it by its old name.
    stack.sim.world().rename("g-5", "门店群 5（已改名）");
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));

    JsonArray all = new JsonArray();
    IntStream.rangeClosed(1, 12).forEach(i -> all.add("g-" + i));
    TestStack.await(stack.api.broadcastToGroups("b-1", "周末特惠", all));
    TestStack.await(stack.api.broadcastToGroups("b-2", "新品到店", new JsonArray().add("g-5")));

    TestStack.waitUntil("every other group's job succeeds", Duration.ofSeconds(90), () ->
        IntStream.rangeClosed(1, 12).filter(i -> i != 5)
            .allMatch(i -> "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-1:g-" + i).getString("state"))));

    // Held, not failed: one attempt for the job that found the group missing, none for the other.
    JsonObject first = stack.getObject("/jobs/broadcast:b-1:g-5");
    JsonObject second = stack.getObject("/jobs/broadcast:b-2:g-5");
    assertThat(first.getString("state")).isEqualTo("QUEUED");
    assertThat(first.getString("reason")).contains("held").contains("g-5");
    assertThat(second.getString("state")).isEqualTo("QUEUED");
    assertThat(second.getString("reason")).contains("held");
    JsonArray tried = stack.getArray("/jobs/broadcast:b-1:g-5/executions");
    assertThat(tried).hasSize(1);
    assertThat(tried.getJsonObject(0).getString("failedStep")).isEqualTo("group-not-found");
    assertThat(tried.getJsonObject(0).getString("screenshot")).as("evidence kept").isNotNull();
    assertThat(stack.getArray("/jobs/broadcast:b-2:g-5/executions")).isEmpty();

    JsonObject group = stack.getObject("/groups/g-5/reachability");
    assertThat(group.getString("reachability")).isEqualTo("unreachable");
    assertThat(group.getString("evidenceJob")).isEqualTo("broadcast:b-1:g-5");
    assertThat(group.getInteger("heldJobs")).isEqualTo(2);
    assertThat(stack.getArray("/alerts").stream().map(a -> (JsonObject) a))
        .anySatisfy(a -> {
          assertThat(a.getString("kind")).isEqualTo("group:unreachable");
          assertThat(a.getString("detail")).contains("g-5");
        });
    JsonObject device = (JsonObject) stack.getArray("/devices").getValue(0);
    assertThat(device.getString("health")).as("the device is not to blame").isEqualTo("healthy");
    assertThat(stack.sim.world().messagesOf("g-5")).isEmpty();

    // The operator gives the group's new name: the held jobs go, each once.
    stack.put("/groups/g-5/name", new JsonObject().put("name", "门店群 5（已改名）").put("reason", "renamed by the store manager"));
    TestStack.waitUntil("the held jobs succeed", Duration.ofSeconds(60), () ->
        "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-1:g-5").getString("state"))
            && "SUCCEEDED".equals(stack.getObject("/jobs/broadcast:b-2:g-5").getString("state")));
    assertThat(stack.sim.world().messagesOf("g-5")).extracting(ChatWorld.ChatMessage::text).containsExactlyInAnyOrder("周末特惠", "新品到店");
    for (int i = 1; i <= 12; i++) {
      if (i != 5) {
        assertThat(stack.sim.world().messagesOf("g-" + i)).as("g-" + i).hasSize(1);
      }
    }
    assertThat(stack.getObject("/groups/g-5/reachability").getString("reachability")).isEqualTo("ok");
    assertThat(stack.getArray("/audit").stream().map(a -> ((JsonObject) a).getString("action"))).contains("group.rename");
  }

  @Test
  void aGroupConfirmedGoneEndsItsHeldJobsCancelledWithTheReason() {
    stack = TestStack.start(dir, Clock.systemUTC(), false, o -> o);
    stack.oneAccountWithGroups("门店群 1", "门店群 2");
    stack.sim.world().rename("g-2", "已解散");
    stack.startAgent("agent-1", TestStack.TOKEN, List.of(stack.device("dev-1", "acc-1")));
    TestStack.await(stack.api.broadcastToGroups("b-1", "周末特惠", new JsonArray().add("g-1").add("g-2")));
    TestStack.waitUntil("g-2 is unreachable", Duration.ofSeconds(60),
        () -> "unreachable".equals(stack.getObject("/groups/g-2/reachability").getString("reachability")));

    stack.post("/groups/g-2/gone", new JsonObject().put("reason", "group dissolved by the shop"));
    JsonObject job = stack.getObject("/jobs/broadcast:b-1:g-2");
    assertThat(job.getString("state")).isEqualTo("CANCELLED");
    assertThat(job.getString("reason")).contains("group dissolved by the shop");
    // A new broadcast to it ends at once instead of waiting forever.
    TestStack.await(stack.api.broadcastToGroups("b-2", "新品到店", new JsonArray().add("g-2")));
    assertThat(stack.getObject("/jobs/broadcast:b-2:g-2").getString("state")).isEqualTo("CANCELLED");
    assertThat(stack.sim.world().messagesOf("g-2")).isEmpty();
  }
}
