package com.wecomrpa.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * This build: its version and commit as the build wrote them, and the agent protocol it speaks.
 * Agents and controllers name both when they refuse each other, so an operator knows which side to
 * upgrade and to what.
 */
public record Release(String version, String commit) {
  /** The agent protocol this build speaks. */
  public static final int PROTOCOL = 2;
  /**
   * The oldest protocol this build still talks to: one release back, so a farm upgrades node by
   * node. Releases before protocol numbers (no header) speak protocol 1.
   */
  public static final int OLDEST_PROTOCOL = 1;
  /** WebSocket upgrade headers on the agent's connection: what it speaks, the oldest it takes, its release. */
  public static final String PROTOCOL_HEADER = "X-Wecom-Rpa-Protocol";
  public static final String OLDEST_HEADER = "X-Wecom-Rpa-Oldest-Protocol";
  public static final String RELEASE_HEADER = "X-Wecom-Rpa-Release";

  private static final Release CURRENT = read();

  public static Release current() {
    return CURRENT;
  }

  /** {@code 0.2.0 (commit 1a2b3c4d5e6f)}. */
  public String describe() {
    return version + (commit.isEmpty() ? "" : " (commit " + commit + ")");
  }

  /** A protocol header's number; absent (a release before numbers) is protocol 1, unreadable is 0. */
  public static int protocolOf(String header) {
    if (header == null || header.isBlank()) {
      return 1;
    }
    try {
      return Integer.parseInt(header.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Release read() {
    Properties p = new Properties();
    try (InputStream in = Release.class.getResourceAsStream("/wecom-rpa-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // an unreadable resource names the build "unknown", which is what it is
    }
    String version = p.getProperty("version", "");
    String commit = p.getProperty("commit", "");
    return new Release(version.isEmpty() || version.startsWith("$") ? "unknown" : version,
        commit.startsWith("$") ? "" : commit);
  }
}
