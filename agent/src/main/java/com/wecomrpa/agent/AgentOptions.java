package com.wecomrpa.agent;

import java.nio.file.Path;
import java.util.List;

/** How an agent is started: its controller, its credentials, its devices and its scripts. */
public record AgentOptions(String agentId, String controllerUrl, String token, List<DeviceProfile> devices, Path scriptsDir, Path workDir) {
  public AgentOptions {
    if (agentId == null || agentId.isBlank()) {
      throw new IllegalArgumentException("agent id is required");
    }
    if (controllerUrl == null || controllerUrl.isBlank()) {
      throw new IllegalArgumentException("controller URL is required");
    }
    for (String url : controllerUrl.split(",")) {
      if (!(url.strip().startsWith("ws://") || url.strip().startsWith("wss://"))) {
        throw new IllegalArgumentException("controller URL must be ws://host:port/agent or wss://... (several separated by commas), was " + url.strip());
      }
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("agent token is required");
    }
    if (devices == null || devices.isEmpty()) {
      throw new IllegalArgumentException("at least one device is required");
    }
    if (devices.stream().map(DeviceProfile::id).distinct().count() != devices.size()) {
      throw new IllegalArgumentException("device ids must be unique");
    }
    devices = List.copyOf(devices);
  }

  /** The controllers of a cluster this agent may connect to, in the order given. */
  public List<String> controllerUrls() {
    return java.util.Arrays.stream(controllerUrl.split(",")).map(String::strip).toList();
  }

  /** The script folder for a client kind, e.g. {@code scripts/wecom-sim}. */
  public Path scriptsFor(String clientKind) {
    return scriptsDir.resolve(clientKind);
  }
}
