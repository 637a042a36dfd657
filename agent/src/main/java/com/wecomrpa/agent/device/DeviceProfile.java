package com.wecomrpa.agent.device;

import com.wecomrpa.protocol.DeviceInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A device this agent drives: which account is logged in on it, which client (and version) it runs,
 * through which driver, where the client is reached (for the simulator, its base URL), and for a
 * phone the Appium capabilities that open the app on it (from a profile in {@code profiles/}).
 */
public record DeviceProfile(
    String id, String accountId, String driver, String clientKind, String clientVersion, String clientUrl, Map<String, Object> capabilities) {
  private static final Set<String> KEYS = Set.of("id", "account", "driver", "client", "version", "url", "profile");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z_][a-z0-9_]*)}");

  public DeviceProfile {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("device id is required");
    }
    if (accountId == null || accountId.isBlank()) {
      throw new IllegalArgumentException("device " + id + ": account is required");
    }
    capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
  }

  /** A device reached by URL (web clients and the simulator): no app capabilities. */
  public DeviceProfile(String id, String accountId, String driver, String clientKind, String clientVersion, String clientUrl) {
    this(id, accountId, driver, clientKind, clientVersion, clientUrl, Map.of());
  }

  /** Parses a device spec; profiles are looked up in {@code ./profiles}. */
  public static DeviceProfile parse(String spec) {
    return parse(spec, Path.of("profiles"));
  }

  /**
   * Parses {@code id=dev-1,account=acc-1,url=http://127.0.0.1:8090} (driver, client and version
   * default to the simulator's), or {@code id=phone-7,account=acc-9,profile=wecom-android,
   * version=4.1.33,udid=R58M12} for a phone: the profile gives driver, client and capabilities, and
   * the other keys fill its {@code ${variables}}.
   */
  public static DeviceProfile parse(String spec, Path profilesDir) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("device spec '" + spec + "': expected key=value pairs, got '" + part + "'");
      }
      kv.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    if (!kv.containsKey("profile")) {
      for (String k : kv.keySet()) {
        if (!KEYS.contains(k)) {
          throw new IllegalArgumentException("device spec '" + spec + "': unknown key " + k + " (id, account, driver, client, version, url, profile)");
        }
      }
      return new DeviceProfile(kv.get("id"), kv.get("account"), kv.getOrDefault("driver", "selenium"), kv.getOrDefault("client", "wecom-sim"),
          kv.getOrDefault("version", "sim-1"), kv.get("url"));
    }
    String name = kv.get("profile");
    Map<String, Object> profile = readProfile(profilesDir, name);
    if (!kv.containsKey("version")) {
      throw new IllegalArgumentException("device spec '" + spec + "': version is required with a profile (the app version on the device, e.g. 4.1.33)");
    }
    Map<String, Object> caps = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = (Map<String, Object>) profile.getOrDefault("capabilities", Map.of());
    raw.forEach((k, v) -> caps.put(k, v instanceof String s ? fill(s, kv, name) : v));
    return new DeviceProfile(kv.get("id"), kv.get("account"), String.valueOf(profile.getOrDefault("driver", "appium")),
        String.valueOf(profile.get("client")), kv.get("version"), kv.get("url"), caps);
  }

  private static Map<String, Object> readProfile(Path dir, String name) {
    Path file = dir.resolve(name + ".yaml");
    if (!name.matches("[A-Za-z0-9_-]+") || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no device profile '" + name + "' (looked for " + file + ")");
    }
    Object doc;
    try {
      doc = new Yaml(new LoaderOptions()).load(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!(doc instanceof Map<?, ?> m) || !(m.get("client") instanceof String) || !(m.get("capabilities") instanceof Map)) {
      throw new IllegalArgumentException(file + ": a device profile needs client: and capabilities:");
    }
    for (Object k : m.keySet()) {
      if (!List.of("driver", "client", "capabilities", "tried").contains(String.valueOf(k))) {
        throw new IllegalArgumentException(file + ": unknown key '" + k + "' (driver, client, capabilities, tried)");
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> profile = (Map<String, Object>) m;
    return profile;
  }

  private static String fill(String template, Map<String, String> values, String profile) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException("device profile " + profile + " needs " + m.group(1) + "=... in the device spec");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** As announced to the controller; {@code localScripts} is the agent's own set for it, if any. */
  public DeviceInfo info(String localScripts) {
    return new DeviceInfo(id, accountId, clientKind, clientVersion, driver, localScripts);
  }
}
