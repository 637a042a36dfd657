package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.rollout.ScriptRouting;
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
 * A device also has a script assignment (which script set version it runs, or why none can drive
 * it) and a health: one that failed too many jobs in a row gets nothing until its agent repairs it.
 * Health outlives a reconnect, so restarting the agent does not launder a broken device.
 */
public final class DeviceBoard {
  /** A device ready for a job, as handed to the dispatcher. */
  public record FreeDevice(String agentId, String deviceId, String accountId, String scriptVersion, AgentLink link) {}

  private final Clock clock;
  private final ScriptRouting routing;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final DeviceHealth health;

  /** {@code unhealthyAfter}: failed jobs in a row that make a device unhealthy. */
  public DeviceBoard(Clock clock, ScriptRouting routing, int unhealthyAfter) {
    this.clock = clock;
    this.routing = routing;
    this.health = new DeviceHealth(unhealthyAfter);
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
      s.assignment = routing.assign(d);
      for (LeaseRef lease : running) {
        if (lease.deviceId().equals(d.id())) {
          s.state = Slot.State.BUSY;
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
      if (s.state == Slot.State.IDLE && s.assignment.runnable() && !health.unhealthy(e.getKey())) {
        s.state = Slot.State.CLAIMING;
        free.add(new FreeDevice(s.agentId, e.getKey(), s.device.accountId(), s.assignment.version(), s.link));
      }
    }
    return free;
  }

  /** The claim found work: the device is BUSY with this lease. False if the device left meanwhile. */
  public synchronized boolean markBusy(String deviceId, String agentId, String jobId, long token) {
    Slot s = slots.get(deviceId);
    if (s == null || !s.agentId.equals(agentId) || s.state != Slot.State.CLAIMING) {
      return false;
    }
    s.state = Slot.State.BUSY;
    s.jobId = jobId;
    s.token = token;
    s.since = clock.instant();
    return true;
  }

  /** The claim found no job, but a listen is due: the device reads its chats until it answers. */
  public synchronized boolean markListening(String deviceId, String agentId, String listenId, java.time.Duration answerWithin) {
    Slot s = slots.get(deviceId);
    if (s == null || !s.agentId.equals(agentId) || s.state != Slot.State.CLAIMING) {
      return false;
    }
    s.state = Slot.State.LISTENING;
    s.listenId = listenId;
    s.since = clock.instant();
    s.listenDeadlineNanos = System.nanoTime() + answerWithin.toNanos();
    return true;
  }

  /**
   * The listen was answered: the device is free again. Returns the account it holds, if the device
   * is connected through {@code agentId} (an agent speaks only for its own devices).
   */
  public synchronized Optional<String> endListening(String deviceId, String agentId, String listenId) {
    Slot s = slots.get(deviceId);
    if (s == null || !s.agentId.equals(agentId)) {
      return Optional.empty();
    }
    if (s.state == Slot.State.LISTENING && listenId.equals(s.listenId)) {
      freeAfterListen(s);
    }
    return Optional.of(s.device.accountId());
  }

  /** Frees devices whose listen went unanswered too long (an agent that lost it); how many. */
  public synchronized int expireListens() {
    long now = System.nanoTime();
    int n = 0;
    for (Slot s : slots.values()) {
      if (s.state == Slot.State.LISTENING && now - s.listenDeadlineNanos > 0) {
        freeAfterListen(s);
        n++;
      }
    }
    return n;
  }

  private void freeAfterListen(Slot s) {
    s.state = s.draining ? Slot.State.DRAINING : Slot.State.IDLE;
    s.listenId = null;
    s.since = clock.instant();
  }

  /** The claim found nothing: back to IDLE. */
  public synchronized void unclaim(String deviceId) {
    Slot s = slots.get(deviceId);
    if (s != null && s.state == Slot.State.CLAIMING) {
      s.state = s.draining ? Slot.State.DRAINING : Slot.State.IDLE;
    }
  }

  /** Offers nothing more to this agent's devices; a busy one drains when its job ends. */
  public synchronized void drain(String agentId) {
    for (Slot s : slots.values()) {
      if (s.agentId.equals(agentId)) {
        drain(s);
      }
    }
  }

  /** An operator drains one device: nothing more is offered to it; a busy one drains after its job. */
  public synchronized Optional<DeviceStatus> drainDevice(String deviceId) {
    return changed(deviceId, this::drain);
  }

  /** An operator sends a device for repair: unhealthy (no offers) until resumed or repaired by its agent. */
  public synchronized Optional<DeviceStatus> markForRepair(String deviceId, String why) {
    return changed(deviceId, s -> health.markUnhealthy(deviceId, why));
  }

  /** Undoes an operator's drain or repair mark: the device takes jobs again. */
  public synchronized Optional<DeviceStatus> resumeDevice(String deviceId) {
    return changed(deviceId, s -> {
      s.draining = false;
      if (s.state == Slot.State.DRAINING) {
        s.state = Slot.State.IDLE;
        s.since = clock.instant();
      }
      health.markHealthy(deviceId);
    });
  }

  /** Applies {@code change} to a connected device's slot; its status afterwards, or empty if it is not here. */
  private Optional<DeviceStatus> changed(String deviceId, java.util.function.Consumer<Slot> change) {
    Slot s = slots.get(deviceId);
    if (s == null) {
      return Optional.empty();
    }
    change.accept(s);
    return Optional.of(status(deviceId, s));
  }

  /**
   * Nothing more is offered to the slot; an idle one is draining from now (a listen is nothing to
   * wait for: what it hears is still stored), a busy one after its job.
   */
  private void drain(Slot s) {
    s.draining = true;
    if (s.state == Slot.State.IDLE || s.state == Slot.State.LISTENING) {
      s.listenId = null;
      s.state = Slot.State.DRAINING;
      s.since = clock.instant();
    }
  }

  /** The lease a device is busy with (job id and fencing token), if any. */
  /** The link to the agent a device is connected through here, and that agent's id. */
  public record Connected(String agentId, AgentLink link) {}

  public synchronized Optional<Connected> connected(String deviceId) {
    Slot s = slots.get(deviceId);
    return s == null ? Optional.empty() : Optional.of(new Connected(s.agentId, s.link));
  }

  public synchronized Optional<LeaseRef> busyWith(String deviceId) {
    Slot s = slots.get(deviceId);
    return s == null || s.state != Slot.State.BUSY ? Optional.empty() : Optional.of(new LeaseRef(s.jobId, s.token, deviceId));
  }

  /** This device's status, if it is connected here. */
  public synchronized Optional<DeviceStatus> status(String deviceId) {
    return Optional.ofNullable(slots.get(deviceId)).map(s -> status(deviceId, s));
  }

  /** The device's job ended (report, expiry): IDLE again, if it was still on that lease. */
  public synchronized boolean release(String deviceId, String jobId, long token) {
    Slot s = slots.get(deviceId);
    if (s == null || s.state != Slot.State.BUSY || !jobId.equals(s.jobId) || s.token != token) {
      return false;
    }
    s.state = s.draining ? Slot.State.DRAINING : Slot.State.IDLE;
    s.jobId = null;
    s.since = clock.instant();
    return true;
  }

  /** Routes every device again after a rollout change; returns the devices whose assignment changed. */
  public synchronized List<DeviceStatus> reroute() {
    List<DeviceStatus> changed = new ArrayList<>();
    slots.forEach((id, s) -> {
      ScriptRouting.Assignment a = routing.assign(s.device);
      if (!a.equals(s.assignment)) {
        s.assignment = a;
        changed.add(status(id, s));
      }
    });
    return changed;
  }

  /** This device's assignment, if it is connected. */
  public synchronized Optional<ScriptRouting.Assignment> assignment(String deviceId) {
    return Optional.ofNullable(slots.get(deviceId)).map(s -> s.assignment);
  }

  /**
   * Counts a finished job against the device. Returns the reason when this failure made the device
   * unhealthy; a success clears the count.
   */
  public synchronized Optional<String> recordOutcome(String deviceId, boolean succeeded, String failure) {
    return health.outcome(deviceId, succeeded, failure);
  }

  /**
   * The agent repaired the device: it takes jobs again. False if it was not unhealthy, or if the
   * device is not connected through {@code agentId} (an agent speaks only for its own devices).
   */
  public synchronized boolean markHealthy(String deviceId, String agentId) {
    Slot s = slots.get(deviceId);
    if (s == null || !s.agentId.equals(agentId)) {
      return false;
    }
    return health.markHealthy(deviceId);
  }

  /**
   * The device's own agent says it cannot take jobs (its disk is full): offered nothing until that
   * agent says it is healthy. The device's account when this made it unhealthy; empty if it already
   * was, or if the device is not connected through {@code agentId}.
   */
  public synchronized Optional<String> markUnhealthyByAgent(String deviceId, String agentId, String why) {
    Slot s = slots.get(deviceId);
    if (s == null || !s.agentId.equals(agentId)) {
      return Optional.empty();
    }
    boolean was = health.unhealthy(deviceId);
    health.markUnhealthy(deviceId, why);
    return was ? Optional.empty() : Optional.of(s.device.accountId());
  }

  public synchronized Optional<String> unhealthyReason(String deviceId) {
    return Optional.ofNullable(health.reason(deviceId));
  }

  public synchronized List<DeviceStatus> snapshot() {
    List<DeviceStatus> out = new ArrayList<>();
    slots.forEach((id, s) -> out.add(status(id, s)));
    return out;
  }

  private DeviceStatus status(String id, Slot s) {
    String problem = health.unhealthy(id) ? health.reason(id) : s.assignment.problem();
    boolean idle = s.state == Slot.State.IDLE || s.state == Slot.State.CLAIMING;
    String state = idle && health.unhealthy(id) ? "unhealthy"
        : idle && !s.assignment.runnable() ? "unsupported"
        // Claiming is a pass looking for work for an idle device: to ops it is idle.
        : s.state == Slot.State.CLAIMING ? (s.draining ? "draining" : "idle")
        : s.state.name().toLowerCase();
    return new DeviceStatus(id, s.agentId, s.device.accountId(), s.device.clientKind(), s.device.clientVersion(), s.device.driver(),
        state, s.jobId, s.since, s.assignment.runnable() ? scriptLabel(s) : null, health.unhealthy(id) ? "unhealthy" : "healthy", problem,
        s.link.heardMillisAgo(), s.link.host());
  }

  private static String scriptLabel(Slot s) {
    return s.assignment.version() != null ? s.device.clientKind() + "@" + s.assignment.version() : s.device.localScripts() + " (agent's own)";
  }
}
