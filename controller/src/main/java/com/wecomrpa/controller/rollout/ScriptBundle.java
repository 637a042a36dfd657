package com.wecomrpa.controller.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One uploaded script set version: what it supports and its files (name to content). */
public record ScriptBundle(
    String client, String version, List<String> supports, Map<String, String> files, String digest, Instant uploadedAt, String uploadedBy) {

  /** How agents and execution reports name it. */
  public String label() {
    return client + "@" + version;
  }

  public boolean supports(String clientVersion) {
    return supports.contains("*") || supports.contains(clientVersion);
  }
}
