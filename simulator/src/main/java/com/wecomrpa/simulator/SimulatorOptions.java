package com.wecomrpa.simulator;

import java.time.Duration;

/**
 * How the simulator listens, how slow it is and how strict its platform is. {@code sendLatency} is
 * what a person sees between pressing send and the bubble settling; a little of it keeps UI
 * drivers honest about waiting. {@code riskModel} judges every account without one of its own.
 */
public record SimulatorOptions(String host, int port, Duration sendLatency, RiskModel riskModel) {
  public static final int DEFAULT_PORT = 8090;

  public SimulatorOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host is required");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (sendLatency == null || sendLatency.isNegative()) {
      throw new IllegalArgumentException("sendLatency must be zero or positive");
    }
    riskModel = riskModel == null ? RiskModel.defaults() : riskModel;
  }

  public static SimulatorOptions defaults() {
    return new SimulatorOptions("127.0.0.1", DEFAULT_PORT, Duration.ofMillis(30), RiskModel.defaults());
  }

  public SimulatorOptions withPort(int newPort) {
    return new SimulatorOptions(host, newPort, sendLatency, riskModel);
  }

  public SimulatorOptions withRiskModel(RiskModel model) {
    return new SimulatorOptions(host, port, sendLatency, model);
  }
}
