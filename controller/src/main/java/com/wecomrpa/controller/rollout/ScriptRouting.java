package com.wecomrpa.controller.rollout;

import com.wecomrpa.protocol.DeviceInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides which script set version a device runs, from the rollouts and what each version supports
 * (kept in memory, refreshed on every change). A device whose client version no set supports gets
 * no jobs: a client update that renamed a control must be met by a new script, not guessed at.
 */
public final class ScriptRouting {
  /** {@code version} null with no problem: the agent's own scripts. */
  public record Assignment(String version, String problem) {
    public boolean runnable() {
      return problem == null;
    }
  }

  private final Map<String, Rollout> rollouts = new ConcurrentHashMap<>();
  private final Map<String, List<String>> supports = new ConcurrentHashMap<>();

  /** Replaces what is known of one client kind: its rollout and the supports of its versions. */
  public void update(Rollout rollout, Map<String, List<String>> supportsByVersion) {
    rollouts.put(rollout.client(), rollout);
    supportsByVersion.forEach((v, s) -> supports.put(rollout.client() + "@" + v, List.copyOf(s)));
  }

  public Assignment assign(DeviceInfo d) {
    Rollout r = rollouts.getOrDefault(d.clientKind(), Rollout.none(d.clientKind()));
    if (r.canaryFor(d.id()) && supports(d, r.canary())) {
      return new Assignment(r.canary(), null);
    }
    if (r.stable() != null) {
      if (supports(d, r.stable())) {
        return new Assignment(r.stable(), null);
      }
      return new Assignment(null, d.clientKind() + " " + d.clientVersion() + " is not supported by script set " + r.stable()
          + (r.canary() == null ? "" : " nor canary " + r.canary()) + " (supports " + supports.get(d.clientKind() + "@" + r.stable()) + ")");
    }
    if (d.localScripts() != null) {
      return new Assignment(null, null);
    }
    return new Assignment(null, d.clientKind() + " " + d.clientVersion() + " is not supported by the agent's own scripts and no script set is rolled out for "
        + d.clientKind());
  }

  private boolean supports(DeviceInfo d, String version) {
    List<String> s = supports.get(d.clientKind() + "@" + version);
    return s != null && (s.contains("*") || s.contains(d.clientVersion()));
  }
}
