package com.wecomrpa.controller.caller;

import java.util.List;

/** Who is calling: the token's id and name (never the token), its role, and for agents its devices. */
public record Caller(String tokenId, String name, Role role, List<String> devices, String agentId) {
  /** The agent token from the controller's configuration: any device, any agent id. */
  public static final Caller CONFIGURED_AGENT = new Caller("config", "configured agent token", Role.AGENT, null, null);

  /** The controller acting on its own, by a rule an operator set ({@code what} names it, e.g. "anti-spam rule r1"). */
  public static Caller byRule(String what) {
    return new Caller("rule", what, Role.OPERATOR, null, null);
  }

  public Caller(String tokenId, String name, Role role, List<String> devices) {
    this(tokenId, name, role, devices, null);
  }

  /** Whether this token may speak for {@code id} (a token bound to one agent id speaks for that one only). */
  public boolean mayBeAgent(String id) {
    return agentId == null || agentId.equals(id);
  }

  public boolean mayUseDevice(String deviceId) {
    return devices == null || devices.contains(deviceId);
  }
}
