package com.wecomrpa.controller.rollout;

import java.time.Instant;
import java.util.List;

/**
 * Which script set version each device of one client kind runs: {@code canary} on the named devices
 * and on {@code canaryPercent} of the rest (by a stable hash of the device id), {@code stable}
 * everywhere else. No stable version means devices run the agent's own scripts.
 */
public record Rollout(String client, String stable, String canary, int canaryPercent, List<String> canaryDevices, Instant updatedAt) {
  public static Rollout none(String client) {
    return new Rollout(client, null, null, 0, List.of(), null);
  }

  /** The device's bucket, 0-99: the same device always lands in the same share. */
  public static int bucket(String deviceId) {
    int h = deviceId.hashCode();
    h ^= (h >>> 16);
    h *= 0x45d9f3b;
    h ^= (h >>> 16);
    return Math.floorMod(h, 100);
  }

  /** Whether the canary (if any) is meant for this device. */
  public boolean canaryFor(String deviceId) {
    return canary != null && (canaryDevices.contains(deviceId) || bucket(deviceId) < canaryPercent);
  }
}
