package com.wecomrpa.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FailoverTest {
  private static final List<String> THREE = List.of("ws://127.0.0.1:1/agent", "ws://127.0.0.1:2/agent", "ws://127.0.0.1:3/agent");

  @Test
  void agentsSpreadOverTheControllersAndEachMovesThroughTheListInOrder() {
    List<String> firsts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      firsts.add(new Failover(THREE, "agent-" + i, new SplittableRandom(1)).current());
    }
    assertThat(firsts).as("thirty agents' first controller").containsAll(THREE);

    Failover f = new Failover(THREE, "agent-7", new SplittableRandom(1));
    int start = THREE.indexOf(f.current());
    List<String> tried = List.of(f.next(), f.next(), f.next());
    assertThat(tried).containsExactly(THREE.get((start + 1) % 3), THREE.get((start + 2) % 3), THREE.get(start));
  }

  @Test
  void aLoneControllerIsTriedAgainAfterAClose() {
    Failover f = new Failover(List.of("ws://127.0.0.1:1/agent"), "agent-1", new SplittableRandom(1));
    assertThat(f.afterClose()).isEqualTo("ws://127.0.0.1:1/agent");
  }

  @Test
  void waitsDoubleFromTwoHundredMillisecondsToFiveSecondsWithJitterAndStartOverOnAWelcome() {
    Failover f = new Failover(THREE, "agent-1", new SplittableRandom(42));
    long[] base = {200, 400, 800, 1600, 3200, 5000, 5000};
    for (long b : base) {
      long d = f.nextDelayMs();
      assertThat(d).as("a wait starting from %d ms", b).isBetween(b, b + b / 2);
    }
    f.welcomed();
    assertThat(f.nextDelayMs()).isBetween(200L, 300L);
  }

  @Test
  void aControllerThatSaysNotReadyIsTriedAgainWithinASecondAndAHalfHoweverLongItLasts() {
    Failover f = new Failover(THREE, "agent-1", new SplittableRandom(3));
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      waits.add(f.notReadyDelayMs());
    }
    assertThat(waits.subList(0, 3)).as("the first waits, as after any close").allMatch(d -> d >= 200 && d <= 1_200);
    assertThat(waits).as("every wait after a not-ready answer").allMatch(d -> d <= 1_500);
    assertThat(f.nextDelayMs()).as("a controller that does not answer at all: the doubled wait").isGreaterThanOrEqualTo(5_000L);
  }

  @Test
  void aFarmDoesNotReconnectInStep() {
    List<Long> first = new ArrayList<>();
    SplittableRandom seeds = new SplittableRandom(7);
    for (int i = 0; i < 20; i++) {
      first.add(new Failover(THREE, "agent-" + i, seeds.split()).nextDelayMs());
    }
    assertThat(first.stream().distinct().count()).as("distinct first waits of twenty agents").isGreaterThan(5);
  }

  @Test
  void noControllerIsRefused() {
    assertThatThrownBy(() -> new Failover(List.of(), "agent-1", new SplittableRandom(1))).hasMessageContaining("controller URL");
  }
}
