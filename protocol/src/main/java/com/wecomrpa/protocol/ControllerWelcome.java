package com.wecomrpa.protocol;

/**
 * The hello was accepted. Heartbeats must come at least every {@code heartbeatMillis}. {@code
 * protocol} and {@code release} name the controller's side; they are sent only to agents that speak
 * protocol 2 or later (an agent of protocol 1 refuses a field it does not know).
 */
public record ControllerWelcome(String agentId, long heartbeatMillis, long leaseMillis, Integer protocol, String release) implements Message {
  public ControllerWelcome(String agentId, long heartbeatMillis, long leaseMillis) {
    this(agentId, heartbeatMillis, leaseMillis, null, null);
  }
}
