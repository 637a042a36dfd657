package com.wecomrpa.agent;

import com.wecomrpa.agent.device.DeviceProfile;
import java.nio.file.Path;
import java.util.List;

/** How an agent is started: its controller, its credentials, its devices and its scripts. */
public record AgentOptions(String agentId, String controllerUrl, String token, List<DeviceProfile> devices, Path scriptsDir, Path workDir, Path tokenFile, Path caFile) {
  /** A fixed token, and the system trust store for wss://. */
  public AgentOptions(String agentId, String controllerUrl, String token, List<DeviceProfile> devices, Path scriptsDir, Path workDir) {
    this(agentId, controllerUrl, token, devices, scriptsDir, workDir, null, null);
  }

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
    if ((token == null || token.isBlank()) && tokenFile == null) {
      throw new IllegalArgumentException("agent token is required (--token-file, or $WECOM_RPA_AGENT_TOKEN)");
    }
    if (caFile != null && !java.nio.file.Files.isReadable(caFile)) {
      throw new IllegalArgumentException("--ca-file " + caFile + " is not a readable file");
    }
    if (devices == null || devices.isEmpty()) {
      throw new IllegalArgumentException("at least one device is required");
    }
    if (devices.stream().map(DeviceProfile::id).distinct().count() != devices.size()) {
      throw new IllegalArgumentException("device ids must be unique");
    }
    devices = List.copyOf(devices);
  }

  /**
   * The token to present now: the token file's first line, read again at every (re)connect so a
   * rotated token is picked up while the agent runs; else the fixed token.
   */
  public String currentToken() {
    if (tokenFile == null) {
      return token;
    }
    try {
      String t = java.nio.file.Files.readAllLines(tokenFile).stream().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
      return t.isEmpty() && token != null ? token : t;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read the agent token file " + tokenFile + ": " + e.getMessage());
    }
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
