package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.rollout.ScriptRouting;
import com.wecomrpa.protocol.DeviceInfo;
import java.time.Instant;

/** One device's slot; mutable, guarded by the board. */
final class Slot {
  enum State {
    IDLE,
    CLAIMING,
    BUSY,
    /** Reading new messages between jobs; free again when the agent says what it heard. */
    LISTENING,
    /** The agent is shutting down: nothing more is offered here. */
    DRAINING
  }

  final String agentId;
  final DeviceInfo device;
  final AgentLink link;
  State state = State.IDLE;
  boolean draining;
  String jobId;
  long token;
  Instant since;
  ScriptRouting.Assignment assignment;
  String listenId;
  /** Real time (nanoTime): the business clock may run fast. */
  long listenDeadlineNanos;

  Slot(String agentId, DeviceInfo device, AgentLink link, Instant since) {
    this.agentId = agentId;
    this.device = device;
    this.link = link;
    this.since = since;
  }
}
