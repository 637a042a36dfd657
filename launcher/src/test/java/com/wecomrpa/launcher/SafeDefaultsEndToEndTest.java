package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.limits.LimitProfile;
import com.wecomrpa.time.SimulatedClock;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits a started controller gets, against the platform as public reports describe it: a
 * whole simulated day of the example plans, on real Chromium, ends with no risk warning.
 */
class SafeDefaultsEndToEndTest {
  @TempDir Path dir;

  @Test
  void aSopDayOnTheSafeDefaultsMeetsNoRiskWarning() {
    SimulatedClock clock = SopDayScenario.clockFor(2880);
    Fleet fleet = Fleet.of(2, 6);
    try (DemoStack stack = new DemoStack(dir.resolve("data"), Path.of("..", "scripts"), fleet, clock, TestStack.CHROMIUM, "selenium", LimitProfile.SAFE)) {
      stack.sim.world().addContacts(SopDayScenario.contacts(fleet));
      assertThat(stack.get("/accounts/" + fleet.accounts().get(0) + "/limits").toString())
          .as("the effective limits are the safe defaults").contains("\"08:00-22:00\"").contains("\"minGapSeconds\"");

      int code = SopDayScenario.run(stack, clock, Path.of("..", "docs", "examples"));

      assertThat(stack.sim.riskEvents()).as("the simulator's reported-thresholds platform saw nothing to warn about").isEmpty();
      assertThat(code).as("nothing failed and no group got more than 3 posts that day").isZero();
      assertThat(stack.sim.world().messageCounts()).as("the day's group posts reached the simulator").isNotEmpty();
    }
  }
}
