package com.wecomrpa.script;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flows and locators for one client kind, at one version. Locators live apart from the steps so
 * a client update that renames a control changes one line, not every flow. {@code tried} says where
 * the set has really been run (e.g. only against the simulator), so nobody mistakes a draft for a
 * proven one.
 */
public record ScriptSet(
    String client, String version, List<String> supportedClientVersions, String tried, Map<String, List<Locator>> locators, Map<String, Flow> flows) {

  public Optional<Flow> flow(String action) {
    return Optional.ofNullable(flows.get(action));
  }

  /** Whether this set claims to drive the given client version ({@code *} matches any). */
  public boolean supports(String clientVersion) {
    return supportedClientVersions.contains("*") || supportedClientVersions.contains(clientVersion);
  }
}
