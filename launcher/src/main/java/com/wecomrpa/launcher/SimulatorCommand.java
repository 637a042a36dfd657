package com.wecomrpa.launcher;

import com.wecomrpa.simulator.Simulator;
import com.wecomrpa.simulator.SimulatorOptions;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulator", mixinStandardHelpOptions = true, description = "Run the WeCom-like simulated client alone.")
final class SimulatorCommand implements Callable<Integer> {
  @Option(names = "--risk", defaultValue = "reported", description = "the platform's risk model: reported (thresholds from public reports, docs/limits.md) or lab (lenient, for the fast limits profile) (default ${DEFAULT-VALUE})")
  String risk;

  @Option(names = "--port", defaultValue = "8090", description = "HTTP port (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--accounts", defaultValue = "0", description = "seed this many accounts (acc-1..)")
  int accounts;

  @Option(names = "--groups", defaultValue = "0", description = "seed this many groups in all, spread over the accounts")
  int groups;

  @Override
  public Integer call() {
    Vertx vertx = Vertx.vertx();
    Simulator sim = new Simulator(vertx, SimulatorOptions.defaults().withPort(port).withRiskModel(risk.equals("lab") ? com.wecomrpa.simulator.RiskModel.lab() : com.wecomrpa.simulator.RiskModel.defaults()), Clock.systemUTC());
    Processes.await(sim.start(), Duration.ofSeconds(30));
    if (accounts > 0) {
      Fleet fleet = Fleet.of(accounts, groups);
      fleet.seed(sim.world());
      System.out.println("seeded " + accounts + " accounts and " + groups + " groups");
    }
    System.out.println("simulator: " + sim.baseUrl() + "/login");
    System.setProperty("wecom-rpa.keep-running", "true");
    Processes.runUntilStopped(() -> Processes.await(vertx.close(), Duration.ofSeconds(10)));
    return 0;
  }
}
