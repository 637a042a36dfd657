package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.controller.disk.DiskFloor;
import com.wecomrpa.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data folder's disk fills up: the controller refuses new work naming the disk, stores nothing
 * of it, raises one alert, still answers reads, and takes work again by itself once space is back.
 * The free space is the test's reading (a real disk is not filled): the floor and what follows are
 * the product's.
 */
class FullDiskTest {
  private static final long MB = 1 << 20;
  @TempDir Path dir;
  private RunningController controller;
  private final AtomicLong free = new AtomicLong(10_000 * MB);

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void belowTheFloorWritesAreRefusedWith507AndAnAlertAndWorkResumesWhenSpaceIsBack() {
    controller = RunningController.start(dir, Fixtures.middayInShanghai(), o -> o.withDiskFloor(new DiskFloor(256 * MB, free::get)));
    assertThat(controller.post("/accounts", Fixtures.anAccount("acc-1")).status()).isLessThan(300);
    assertThat(controller.post("/groups", Fixtures.aGroup("g-1", "acc-1", "会员")).status()).isLessThan(300);

    free.set(40 * MB);
    // The floor is read every 2 s: the alert says the controller has seen it.
    JsonNode alert = Eventually.settle(Duration.ofSeconds(30), () -> diskAlert(), a -> a != null);
    assertThat(alert).as("an alert about the disk").isNotNull();
    assertThat(alert.get("detail").asText()).contains("40 MB free");
    assertThat(alert.hasNonNull("resolvedAt")).as("unresolved while the disk is full").isFalse();
    RunningController.Reply refused = controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1"));
    assertThat(refused.status()).isEqualTo(507);
    assertThat(refused.body().get("error").asText()).contains("40 MB free", "256 MB", "refused");
    assertThat(controller.get("/broadcasts/b-1").status()).as("nothing of the refused broadcast is stored").isEqualTo(404);
    assertThat(controller.get("/accounts").status()).as("reads go on").isEqualTo(200);

    free.set(5_000 * MB);
    RunningController.Reply taken = Eventually.settle(Duration.ofSeconds(30), () -> controller.post("/broadcasts", Fixtures.aBroadcast("b-1", "hello", "g-1")),
        r -> r.status() != 507);
    assertThat(taken.status()).as("%s", taken.body()).isLessThan(300);
    assertThat(controller.get("/broadcasts/b-1").status()).isEqualTo(200);
    JsonNode resolved = Eventually.settle(Duration.ofSeconds(30), () -> diskAlert(), a -> a != null && a.hasNonNull("resolvedAt"));
    assertThat(resolved.get("resolvedBy").asText()).isEqualTo("itself");
  }

  private JsonNode diskAlert() {
    return StreamSupport.stream(controller.get("/alerts").body().spliterator(), false)
        .filter(a -> a.get("kind").asText().equals("disk:low")).findFirst().orElse(null);
  }
}
