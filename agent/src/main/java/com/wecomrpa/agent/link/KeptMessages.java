package com.wecomrpa.agent.link;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.Kept;
import com.wecomrpa.protocol.Message;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reports and heard messages the controller has not acknowledged, in the order they were made:
 * on disk first (a crash cannot lose one), in memory for sending again after every welcome. Used
 * on the link's context; the disk writes of {@link #keep} run on the caller's thread.
 */
final class KeptMessages {
  private final Map<String, Message> waiting = new LinkedHashMap<>();
  private final ReportOutbox disk;

  /** Starts with what the disk kept from an earlier run. */
  KeptMessages(ReportOutbox disk) {
    this.disk = disk;
    for (Message m : disk.pending()) {
      waiting.put(((Kept) m).keptId(), m);
    }
  }

  /** On disk, before anything else: call on the thread that made the message. */
  <M extends Message & Kept> void store(M m) {
    disk.put(m);
  }

  /** Waits in memory for its acknowledgement (already on disk). */
  <M extends Message & Kept> void keep(M m) {
    waiting.put(m.keptId(), m);
  }

  /** Acknowledged: gone from memory now; {@link #forget} removes it from disk (I/O, off the event loop). */
  boolean acknowledged(String keptId) {
    return waiting.remove(keptId) != null;
  }

  void forget(String keptId) {
    disk.remove(keptId);
  }

  /** Everything to send again, oldest first. */
  Collection<Message> all() {
    return List.copyOf(waiting.values());
  }

  List<AgentJobReport> reports() {
    return waiting.values().stream().filter(AgentJobReport.class::isInstance).map(AgentJobReport.class::cast).toList();
  }

  int size() {
    return waiting.size();
  }
}
