package com.wecomrpa.controller.dispatch;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which devices failed too many jobs in a row to be offered more, and why. Kept by device id, so
 * it outlives a reconnect: restarting the agent does not launder a broken device. Not thread-safe:
 * used under the board's lock.
 */
final class DeviceHealth {
  private final int unhealthyAfter;
  private final Map<String, Integer> failuresInARow = new HashMap<>();
  private final Map<String, String> unhealthy = new HashMap<>();

  /** {@code unhealthyAfter}: failed jobs in a row that make a device unhealthy. */
  DeviceHealth(int unhealthyAfter) {
    this.unhealthyAfter = unhealthyAfter;
  }

  /** Counts a finished job; the reason when this failure made the device unhealthy. A success clears the count. */
  Optional<String> outcome(String deviceId, boolean succeeded, String failure) {
    if (succeeded) {
      failuresInARow.remove(deviceId);
      return Optional.empty();
    }
    int n = failuresInARow.merge(deviceId, 1, Integer::sum);
    if (n < unhealthyAfter || unhealthy.containsKey(deviceId)) {
      return Optional.empty();
    }
    String reason = n + " jobs failed in a row, the last: " + failure;
    unhealthy.put(deviceId, reason);
    return Optional.of(reason);
  }

  /** An operator sent the device for repair. */
  void markUnhealthy(String deviceId, String why) {
    unhealthy.put(deviceId, why);
  }

  /** Repaired or resumed: counts start over; true if it was unhealthy. */
  boolean markHealthy(String deviceId) {
    failuresInARow.remove(deviceId);
    return unhealthy.remove(deviceId) != null;
  }

  boolean unhealthy(String deviceId) {
    return unhealthy.containsKey(deviceId);
  }

  /** Why the device is unhealthy, or null. */
  String reason(String deviceId) {
    return unhealthy.get(deviceId);
  }
}
