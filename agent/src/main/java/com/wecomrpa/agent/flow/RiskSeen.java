package com.wecomrpa.agent.flow;

/** A {@code signal} step fired: the screen shows a risk state, and the flow stops there. */
final class RiskSeen extends RuntimeException {
  final String signal;
  final boolean unsent;

  RiskSeen(String signal, boolean unsent) {
    super("risk state on screen: " + signal);
    this.signal = signal;
    this.unsent = unsent;
  }
}
