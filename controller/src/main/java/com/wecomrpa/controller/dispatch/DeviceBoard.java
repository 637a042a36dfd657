package com.wecomrpa.controller.dispatch;

import com.wecomrpa.protocol.DeviceInfo;
import com.wecomrpa.protocol.LeaseRef;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The devices connected to this controller and what each is doing. A device holds at most one job:
 * it is IDLE, CLAIMING (a lease is being taken for it) or BUSY with one job under one fencing token.
 */
public final class DeviceBoard {
  public enum SlotState {
    IDLE,
    CLAIMING,
    BUSY,
    /** The agent is shutting down: nothing more is offered here. */
    DRAINING
  }

  /** One device's slot; mutable, guarded by the board. */
  static final class Slot {
    final String agentId;
    final DeviceInfo device;
    final AgentLink link;
    SlotState state = SlotState.IDLE;
    boolean draining;
    String jobId;
    long token;
    Instant since;

    Slot(String agentId, DeviceInfo device, AgentLink link, Instant since) {
      this.agentId = agentId;
      this.device = device;
      this.link = link;
      this.since = since;
    }
  }

  /** A device ready for a job, as handed to the dispatcher. */
  public record FreeDevice(String agentId, String deviceId, String accountId, AgentLink link) {}

  private final Clock clock;
  private final Map<String, Slot> slots = new LinkedHashMap<>();

  public DeviceBoard(Clock clock) {
    this.clock = clock;
  }

  /** The device id another agent already holds, if any of {@code devices} is taken. */
  public synchronized Optional<String> conflictingDevice(String agentId, List<DeviceInfo> devices) {
    return devices.stream()
        .map(DeviceInfo::id)
        .filter(id -> slots.containsKey(id) && !slots.get(id).agentId.equals(agentId))
        .findFirst();
  }

  /**
   * Registers an agent's devices, replacing any earlier connection of the same agent. Devices still
   * running a job from before a reconnect stay BUSY with it.
   */
  public synchronized void register(String agentId, List<DeviceInfo> devices, List<LeaseRef> running, AgentLink link) {
    removeAgent(agentId);
    Instant now = clock.instant();
    for (DeviceInfo d : devices) {
      Slot s = new Slot(agentId, d, link, now);
      for (LeaseRef lease : running) {
        if (lease.deviceId().equals(d.id())) {
          s.state = SlotState.BUSY;
          s.jobId = lease.jobId();
          s.token = lease.fencingToken();
        }
      }
      slots.put(d.id(), s);
    }
  }

  private void removeAgent(String agentId) {
    slots.values().removeIf(s -> s.agentId.equals(agentId));
  }

  /** Drops the devices registered through {@code link}; a newer connection of the agent stays. */
  public synchronized void removeAgent(String agentId, AgentLink link) {
    slots.values().removeIf(s -> s.agentId.equals(agentId) && s.link == link);
  }

  /** Takes every idle device for one dispatch pass, marking it CLAIMING so no pass takes it twice. */
  public synchronized List<FreeDevice> takeIdle() {
    List<FreeDevice> free = new ArrayList<>();
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      Slot s = e.getValue();
      if (s.state == SlotState.IDLE) {
        s.state = SlotState.CLAIMING;
        free.add(new FreeDevice(s.agentId, e.getKey(), s.device.accountId(), s.link));
      }
    }
    return free;
  }

  /** The claim found work: the device is BUSY with this lease. False if the device left meanwhile. */
  public synchronized boolean markBusy(String deviceId, String agentId, String jobId, long token) {
    Slot s = slots.get(deviceId);
    if (s == null || !s.agentId.equals(agentId) || s.state != SlotState.CLAIMING) {
      return false;
    }
    s.state = SlotState.BUSY;
    s.jobId = jobId;
    s.token = token;
    s.since = clock.instant();
    return true;
  }

  /** The claim found nothing: back to IDLE. */
  public synchronized void unclaim(String deviceId) {
    Slot s = slots.get(deviceId);
    if (s != null && s.state == SlotState.CLAIMING) {
      s.state = s.draining ? SlotState.DRAINING : SlotState.IDLE;
    }
  }

  /** Offers nothing more to this agent's devices; a busy one drains when its job ends. */
  public synchronized void drain(String agentId) {
    for (Slot s : slots.values()) {
      if (s.agentId.equals(agentId)) {
        s.draining = true;
        if (s.state == SlotState.IDLE) {
          s.state = SlotState.DRAINING;
        }
      }
    }
  }

  /** The device's job ended (report, expiry): IDLE again, if it was still on that lease. */
  public synchronized boolean release(String deviceId, String jobId, long token) {
    Slot s = slots.get(deviceId);
    if (s == null || s.state != SlotState.BUSY || !jobId.equals(s.jobId) || s.token != token) {
      return false;
    }
    s.state = s.draining ? SlotState.DRAINING : SlotState.IDLE;
    s.jobId = null;
    s.since = clock.instant();
    return true;
  }

  public synchronized List<DeviceStatus> snapshot() {
    List<DeviceStatus> out = new ArrayList<>();
    slots.forEach(
        (id, s) ->
            out.add(
                new DeviceStatus(
                    id, s.agentId, s.device.accountId(), s.device.clientKind(), s.device.clientVersion(), s.device.driver(),
                    s.state.name().toLowerCase(), s.jobId, s.since)));
    return out;
  }
}
