package com.wecomrpa.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wecom-rpa bench NAME}: how close the product is to its limits, each figure beside a
 * baseline measured in the same run on the same machine. The last line is {@code bench NAME: k=v
 * ... ratio=x} for scripts. See docs/performance.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark: dispatch, fanout, quota or fleet (docs/performance.md).",
    subcommands = {BenchCommand.Dispatch.class, BenchCommand.Fanout.class, BenchCommand.Quota.class, BenchCommand.Fleet.class})
public final class BenchCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }


  /** Every benchmark's first line: it measures the machine, not what a real account may send. */
  static final String UNPACED_PROFILE =
      "bench: unpaced profile (limits UNPACED: no gap between claims, round the clock) against load agents that drive no client, to measure the control plane; real accounts run the safe defaults (docs/limits.md)";

  /** The fleet bench drives the simulator: the fast profile, paced under its lab platform. */
  static final String FAST_PROFILE =
      "bench: fast profile (limits FAST: " + com.wecomrpa.platform.LabPlatform.FAST_SENDS_PER_MINUTE + " sends a minute per account, round the clock, under the lab platform's "
          + com.wecomrpa.platform.LabPlatform.SENDS_PER_MINUTE + ") to measure the product on real browsers; real accounts run the safe defaults (docs/limits.md)";

  /** A fresh folder under data/bench for one run's embedded store. */
  static Path freshData(String name) throws Exception {
    Path dir = Path.of("data", "bench", name);
    if (Files.exists(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
    return dir;
  }

  @Command(name = "dispatch", mixinStandardHelpOptions = true, description = "Control plane alone: jobs/s and latencies against a bare WebSocket echo.")
  static final class Dispatch implements Callable<Integer> {
    @Option(names = "--accounts", defaultValue = "50", description = "accounts, one device each (default ${DEFAULT-VALUE})")
    int accounts;

    @Option(names = "--groups-per-account", defaultValue = "200", description = "default ${DEFAULT-VALUE}")
    int groupsPerAccount;

    @Option(names = "--load-agents", defaultValue = "5", description = "agent connections the devices are spread over (default ${DEFAULT-VALUE})")
    int loadAgents;

    @Option(names = "--paced-seconds", defaultValue = "10", description = "default ${DEFAULT-VALUE}")
    int pacedSeconds;

    @Option(names = "--db", defaultValue = "embedded", description = "embedded (H2 file) or postgres (a private PostgreSQL on loopback, with a plain-JDBC baseline)")
    String db;

    @Option(names = "--nodes", defaultValue = "1", description = "controllers in this process, clustered over Hazelcast on loopback (postgres only; default ${DEFAULT-VALUE})")
    int nodes;

    @Override
    public Integer call() throws Exception {
      com.wecomrpa.launcher.Teardown.guardingChildren(); // Ctrl-C at any moment stops what the bench started
      System.out.println(UNPACED_PROFILE);
      if (!db.equals("embedded") && !db.equals("postgres")) {
        System.err.println("--db must be embedded or postgres");
        return 2;
      }
      if (nodes < 1 || (nodes > 1 && db.equals("embedded"))) {
        System.err.println("--nodes above 1 needs --db postgres (the embedded file cannot be shared)");
        return 2;
      }
      System.out.println(DispatchBench.run(freshData("dispatch"), accounts, groupsPerAccount, loadAgents, pacedSeconds, db.equals("postgres"), nodes));
      return 0;
    }
  }

  @Command(name = "fanout", mixinStandardHelpOptions = true, description = "One broadcast over many groups: expansion time, heap, rows/s, growth.")
  static final class Fanout implements Callable<Integer> {
    @Option(names = "--groups", defaultValue = "200000", description = "groups in the large run (default ${DEFAULT-VALUE}); the small run has a tenth")
    int groups;

    @Option(names = "--accounts", defaultValue = "1000", description = "default ${DEFAULT-VALUE}")
    int accounts;

    @Override
    public Integer call() throws Exception {
      com.wecomrpa.launcher.Teardown.guardingChildren(); // Ctrl-C at any moment stops what the bench started
      System.out.println(UNPACED_PROFILE);
      System.out.println(FanoutBench.run(groups, accounts));
      return 0;
    }
  }

  @Command(name = "quota", mixinStandardHelpOptions = true, description = "Group quota reservations/s on one key and on many (JMH), and a cap check.")
  static final class Quota implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      com.wecomrpa.launcher.Teardown.guardingChildren(); // Ctrl-C at any moment stops what the bench started
      System.out.println(UNPACED_PROFILE);
      System.out.println(QuotaBench.run());
      return 0;
    }
  }

  @Command(name = "fleet", mixinStandardHelpOptions = true, description = "The whole product on K headless Chromium devices against a raw Selenium loop.")
  static final class Fleet implements Callable<Integer> {
    @Option(names = "--devices", defaultValue = "3", description = "default ${DEFAULT-VALUE}")
    int devices;

    @Option(names = "--groups", defaultValue = "150", description = "default ${DEFAULT-VALUE}")
    int groups;

    @Override
    public Integer call() throws Exception {
      com.wecomrpa.launcher.Teardown.guardingChildren(); // Ctrl-C at any moment stops what the bench started
      System.out.println(FAST_PROFILE);
      System.out.println(FleetBench.run(freshData("fleet"), devices, groups));
      return 0;
    }
  }
}
