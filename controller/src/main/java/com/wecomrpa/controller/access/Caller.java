package com.wecomrpa.controller.access;

import java.util.List;

/** Who is calling: the token's id and name (never the token), its role, and for agents its devices. */
public record Caller(String tokenId, String name, Role role, List<String> devices) {
  /** The agent token from the controller's configuration: any device. */
  public static final Caller CONFIGURED_AGENT = new Caller("config", "configured agent token", Role.AGENT, null);

  public boolean mayUseDevice(String deviceId) {
    return devices == null || devices.contains(deviceId);
  }
}
