package com.wecomrpa.controller.screen;

import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.protocol.AgentScreen;
import com.wecomrpa.protocol.ControllerWatch;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live device screens for the console. A look at a device asks its agent for pictures for the next
 * few seconds (again at most every two seconds while someone keeps looking) and answers with the
 * newest picture the agent sent; nobody looking, nothing is asked and the agent sends nothing.
 * Pictures are kept in memory only, the newest per device.
 */
public final class DeviceScreens {
  /** How long one look keeps the agent sending, and how often it sends meanwhile. */
  static final long WATCH_MILLIS = 8_000;
  static final long EVERY_MILLIS = 1_000;
  private static final long ASK_AGAIN_MILLIS = 2_000;

  /** One picture: when the device took it, and the job and step it was at (null when idle). */
  public record Frame(byte[] png, String jobId, String step, Instant takenAt) {}

  /** What a look found: the newest picture if any, and whether the device is connected here. */
  public record Look(Optional<Frame> frame, boolean connectedHere) {}

  private final DeviceBoard board;
  private final Clock clock;
  private final Map<String, Frame> frames = new ConcurrentHashMap<>();
  private final Map<String, Long> askedAt = new ConcurrentHashMap<>();

  public DeviceScreens(DeviceBoard board, Clock clock) {
    this.board = board;
    this.clock = clock;
  }

  /** Someone looks at a device now: asks its agent to keep sending, and answers what there is. */
  public Look look(String deviceId) {
    var connected = board.connected(deviceId);
    if (connected.isEmpty()) {
      return new Look(Optional.ofNullable(frames.get(deviceId)), false);
    }
    long now = clock.millis();
    Long last = askedAt.get(deviceId);
    if (last == null || now - last >= ASK_AGAIN_MILLIS) {
      askedAt.put(deviceId, now);
      connected.get().link().send(new ControllerWatch(deviceId, WATCH_MILLIS, EVERY_MILLIS));
    }
    return new Look(Optional.ofNullable(frames.get(deviceId)), true);
  }

  /** A picture from an agent; only the agent the device is connected through is believed. */
  public boolean onScreen(String agentId, AgentScreen s) {
    var connected = board.connected(s.deviceId());
    if (connected.isEmpty() || !connected.get().agentId().equals(agentId) || s.png() == null) {
      return false;
    }
    byte[] png;
    try {
      png = Base64.getDecoder().decode(s.png());
    } catch (IllegalArgumentException e) {
      return false;
    }
    frames.put(s.deviceId(), new Frame(png, s.jobId(), s.step(), Instant.ofEpochMilli(s.takenAtMillis())));
    return true;
  }
}
