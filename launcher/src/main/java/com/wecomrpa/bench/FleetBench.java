package com.wecomrpa.bench;

import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import com.wecomrpa.launcher.DemoStack;
import com.wecomrpa.launcher.Fleet;
import com.wecomrpa.launcher.Processes;
import com.wecomrpa.simulator.ChatWorld;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The whole product: controller, agent, K headless Chromium devices and the simulator, one
 * broadcast to N groups. Efficiency compares the wall time with the device-parallel limit: N sends
 * at the agent's mean send time on one device alone (measured first), K at a time. The fair
 * baseline in the same run: K minimal hand-written Selenium loops at once along the same screens,
 * one per device, N/K sends each at the same per-account pace, under the same CPU; the product's
 * wall against theirs, and the agent's cost per send against raw WebDriver's on as many devices.
 */
final class FleetBench {
  static final String TEXT = "本周新品到店，欢迎选购";

  private FleetBench() {}

  static String run(Path data, int devices, int groups) throws Exception {
    ChromiumPaths chromium = ChromiumPaths.debianDefaults();
    if (chromium.missing() != null) {
      throw new IllegalStateException(chromium.missing());
    }
    System.out.printf("fleet: %d devices, %d groups (%s)%n", devices, groups, Gauges.machine());
    // The agent on one device alone: the single-device mean send time.
    double single;
    try (DemoStack one = new DemoStack(data.resolve("single"), Path.of("scripts"), Fleet.of(1, Math.max(10, groups / devices)), Clock.systemUTC(), chromium, "selenium")) {
      int sends = Math.max(10, groups / devices);
      single = broadcast(one, "single", sends)[1];
      System.out.printf("agent alone on one device: %d sends, mean %.0fms; per send, by step:%n", sends, single * 1000);
      double stepsTotal = 0;
      for (var e : one.stepTimes().snapshot().entrySet()) {
        if (e.getKey().startsWith("login/")) {
          continue;
        }
        double perSend = e.getValue().nanos() / 1e6 / sends;
        stepsTotal += e.getKey().contains("/  ") ? 0 : perSend;
        System.out.printf("  %-40s %6.1f ms%n", e.getKey(), perSend);
      }
      System.out.printf("  %-40s %6.1f ms of the %.0f ms mean (the mean is taken from job start to report)%n", "all steps", stepsTotal, single * 1000);
    }
    try (DemoStack stack = new DemoStack(data.resolve("fleet"), Path.of("scripts"), Fleet.of(devices, groups), Clock.systemUTC(), chromium, "selenium")) {
      double[] run = broadcast(stack, "fleet", groups);
      double wall = run[0];
      double mean = run[1];
      double p95 = run[2];
      double limit = groups * single / devices;
      double efficiency = limit / wall;
      System.out.printf("product: %d sends on %d devices in %.1fs; per send mean %.0fms p95 %.0fms; device-parallel limit %.1fs; efficiency %.2f%n",
          groups, devices, wall, mean * 1000, p95 * 1000, limit, efficiency);

      // The fair baseline: K hand-written loops at once, one per device, each sending N/K, so they
      // share the same cores the product's K devices share, and each keeps the pace the fast
      // profile keeps per account (no send starts sooner than that after the one before).
      long[] r0 = new long[1];
      java.util.concurrent.CyclicBarrier ready = new java.util.concurrent.CyclicBarrier(devices, () -> r0[0] = System.nanoTime());
      List<java.util.concurrent.Future<double[]>> loops = new ArrayList<>();
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(devices);
      try {
        for (int k = 0; k < devices; k++) {
          int n = groups / devices + (k < groups % devices ? 1 : 0);
          String account = "raw-" + (k + 1);
          Path home = data.resolve(account);
          loops.add(pool.submit(() -> rawSeleniumLoop(stack, chromium, home, account, n, com.wecomrpa.platform.LabPlatform.fastGap(), ready)));
        }
        List<Double> all = new ArrayList<>();
        for (var f : loops) {
          for (double x : f.get()) {
            all.add(x);
          }
        }
        double rawWall = (System.nanoTime() - r0[0]) / 1e9;
        double[] raw = all.stream().mapToDouble(Double::doubleValue).toArray();
        double rawMean = java.util.Arrays.stream(raw).average().orElse(0);
        double fair = rawWall / wall;
        System.out.printf("baseline: %d raw Selenium loops at once, one per device, %d sends in all in %.1fs (from all logged in); per send mean %.0fms p95 %.0fms;"
                + " product wall / baseline wall: %.2f (fair efficiency %.2f); agent per send / raw per send, both on %d devices: %.2f%n",
            devices, raw.length, rawWall, rawMean * 1000, Gauges.quantile(raw, 0.95) * 1000, wall / rawWall, fair, devices, mean / rawMean);
        return String.format("bench fleet: devices=%d groups=%d wall_s=%.1f mean_send_ms=%.0f p95_send_ms=%.0f single_device_mean_ms=%.0f efficiency=%.2f"
                + " raw_wall_s=%.1f raw_mean_send_ms=%.0f fair_efficiency=%.2f ratio=%.3f",
            devices, groups, wall, mean * 1000, p95 * 1000, single * 1000, efficiency, rawWall, rawMean * 1000, fair, mean / rawMean);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** One broadcast to every group of the stack; returns wall seconds, mean and p95 seconds per send. */
  private static double[] broadcast(DemoStack stack, String id, int groups) throws InterruptedException {
    long t0 = System.nanoTime();
    Processes.await(stack.api.broadcastToTag(id, TEXT, "demo"), Duration.ofMinutes(1));
    JsonObject b;
    while (true) {
      Thread.sleep(200);
      b = stack.get("/broadcasts/" + id);
      JsonObject p = b.getJsonObject("progress");
      if (p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("RUNNING") == 0) {
        break;
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    JsonObject p = b.getJsonObject("progress");
    if (p.getInteger("SUCCEEDED") != groups) {
      throw new IllegalStateException("only " + p.getInteger("SUCCEEDED") + " of " + groups + " sent: " + p);
    }
    JsonObject times = b.getJsonObject("sendTimes");
    return new double[] {wall, times.getLong("meanMillis") / 1000.0, times.getLong("p95Millis") / 1000.0};
  }

  /**
   * Sends {@code n} messages with WebDriver calls written by hand: search, open, type, send, wait for
   * the settled bubble. Returns each send's seconds (the same span the agent reports: open to confirmed).
   */
  static double[] rawSeleniumLoop(DemoStack stack, ChromiumPaths chromium, Path home, String account, int n, Duration pace, java.util.concurrent.CyclicBarrier ready) throws Exception {
    ChatWorld world = stack.sim.world();
    world.addAccounts(List.of(new ChatWorld.Account(account, "Raw")));
    // One device sending back to back goes past the platform's 100 sends a minute; the baseline
    // measures WebDriver, not the risk model.
    stack.sim.setRiskModel(account, new com.wecomrpa.simulator.RiskModel(100_000, Duration.ofMinutes(1), 3, Duration.ofMinutes(10)));
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      names.add(String.format("基准群 %s %04d", account, i));
      world.addGroups(List.of(new ChatWorld.Group(String.format("%s-g-%04d", account, i), account, names.get(i - 1))));
    }
    SeleniumDriver.prepareHome(home);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromium.driver().toFile()).usingAnyFreePort()
        .withEnvironment(SeleniumDriver.environment(home)).build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.browser().toFile());
    options.addArguments(SeleniumDriver.HEADLESS_FLAGS);
    options.addArguments("--user-data-dir=" + home.resolve("profile"));
    ChromeDriver d = new ChromeDriver(service, options);
    try {
      WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(10), Duration.ofMillis(40));
      d.get(stack.sim.baseUrl() + "/login");
      d.findElement(By.id("account")).sendKeys(account);
      d.findElement(By.id("login")).click();
      wait.until(x -> !x.findElements(By.cssSelector("#conversations[data-loaded='true']")).isEmpty());
      ready.await(); // every loop logged in: the sends start together
      double[] seconds = new double[n];
      long lastStart = 0;
      for (int i = 0; i < n; i++) {
        String name = names.get(i);
        String text = TEXT + " #" + (i + 1);
        long t0 = System.nanoTime();
        if (i > 0 && t0 - lastStart < pace.toNanos()) {
          Thread.sleep((pace.toNanos() - (t0 - lastStart)) / 1_000_000);
          t0 = System.nanoTime();
        }
        lastStart = t0;
        List<WebElement> back = d.findElements(By.id("back"));
        if (!back.isEmpty() && back.get(0).isDisplayed()) {
          back.get(0).click();
        }
        WebElement search = wait.until(x -> x.findElement(By.id("search")));
        search.clear();
        search.sendKeys(name);
        wait.until(x -> x.findElement(By.cssSelector("li.conversation.group[data-name='" + name + "']"))).click();
        wait.until(x -> name.equals(x.findElement(By.id("chat-title")).getText()));
        wait.until(x -> !x.findElements(By.cssSelector("#messages[data-loaded='true']")).isEmpty());
        WebElement composer = d.findElement(By.id("composer"));
        composer.clear();
        composer.sendKeys(text);
        d.findElement(By.id("send")).click();
        wait.until(x -> x.findElements(By.cssSelector("#messages .bubble.mine.sent:last-child .text")).stream().anyMatch(e -> text.equals(e.getText())));
        seconds[i] = (System.nanoTime() - t0) / 1e9;
      }
      Map<String, Integer> counts = world.messageCounts();
      for (int i = 1; i <= n; i++) {
        String g = String.format("%s-g-%04d", account, i);
        if (counts.getOrDefault(g, 0) != 1) {
          throw new IllegalStateException("the raw loop's group " + g + " holds " + counts.getOrDefault(g, 0) + " messages");
        }
      }
      return seconds;
    } finally {
      d.quit();
      service.stop();
    }
  }
}
