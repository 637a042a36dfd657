package com.wecomrpa.agent;

import com.wecomrpa.protocol.DeviceInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device this agent drives: which account is logged in on it, which client (and version) it runs,
 * through which driver, and where the client is reached (for the simulator, its base URL).
 */
public record DeviceProfile(String id, String accountId, String driver, String clientKind, String clientVersion, String clientUrl) {
  public DeviceProfile {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("device id is required");
    }
    if (accountId == null || accountId.isBlank()) {
      throw new IllegalArgumentException("device " + id + ": account is required");
    }
  }

  /**
   * Parses {@code id=dev-1,account=acc-1,url=http://127.0.0.1:8090} (driver, client and version
   * default to the simulator's).
   */
  public static DeviceProfile parse(String spec) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("device spec '" + spec + "': expected key=value pairs, got '" + part + "'");
      }
      kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    for (String k : kv.keySet()) {
      if (!java.util.Set.of("id", "account", "driver", "client", "version", "url").contains(k)) {
        throw new IllegalArgumentException("device spec '" + spec + "': unknown key " + k + " (id, account, driver, client, version, url)");
      }
    }
    return new DeviceProfile(
        kv.get("id"),
        kv.get("account"),
        kv.getOrDefault("driver", "selenium"),
        kv.getOrDefault("client", "wecom-sim"),
        kv.getOrDefault("version", "sim-1"),
        kv.get("url"));
  }

  /** As announced to the controller; {@code localScripts} is the agent's own set for it, if any. */
  public DeviceInfo info(String localScripts) {
    return new DeviceInfo(id, accountId, clientKind, clientVersion, driver, localScripts);
  }
}
