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
  /** A message sent and not answered within this is sent again on the same connection; doubled each time, up to {@link #SILENT_MAX_MS}. */
  static final long SILENT_FIRST_MS = 5_000;
  static final long SILENT_MAX_MS = 60_000;
  /** Refused as not stored: sent again after the controller's hint, doubled while refusals repeat, up to this. */
  static final long REFUSED_MAX_MS = 1_000;

  private final Map<String, Message> waiting = new LinkedHashMap<>();
  /**
   * Per waiting message: when it may be sent again on the same connection (System.nanoTime), the
   * silence wait and the refusal wait so far.
   */
  private final Map<String, long[]> resend = new java.util.HashMap<>();
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
    resend.remove(keptId);
    return waiting.remove(keptId) != null;
  }

  /** It was just sent: if no answer comes, it goes again after the silence wait (doubling each time). */
  void sent(String keptId, long nowNanos) {
    long[] r = resend.computeIfAbsent(keptId, k -> new long[3]);
    r[1] = r[1] == 0 ? SILENT_FIRST_MS : Math.min(SILENT_MAX_MS, r[1] * 2);
    r[0] = nowNanos + r[1] * 1_000_000L;
  }

  /** The controller said it could not store it: it goes again after the hint, doubling while refusals repeat. */
  void refused(String keptId, long hintMillis, long nowNanos) {
    if (!waiting.containsKey(keptId)) {
      return;
    }
    long[] r = resend.computeIfAbsent(keptId, k -> new long[3]);
    r[2] = r[2] == 0 ? Math.max(100, hintMillis) : Math.min(REFUSED_MAX_MS, Math.max(hintMillis, r[2] * 2));
    r[0] = nowNanos + r[2] * 1_000_000L;
  }

  /** Messages whose wait is over, oldest first: the caller sends them again (and calls {@link #sent}). */
  List<Message> due(long nowNanos) {
    List<Message> out = new java.util.ArrayList<>();
    for (Map.Entry<String, Message> e : waiting.entrySet()) {
      long[] r = resend.get(e.getKey());
      if (r != null && nowNanos - r[0] >= 0) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  /** A new connection sends everything anew: the waits start over. */
  void reconnected() {
    resend.clear();
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
