package com.wecomrpa.agent.flow;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a flow's time goes: total time and count per {@code action/step}, across one agent's
 * devices. One clock read per step; read by the fleet benchmark to break a send down
 * (docs/performance.md).
 */
public final class StepTimes {
  /** Total and count of one step. */
  public record Total(long nanos, long count) {
    public double meanMillis() {
      return count == 0 ? 0 : nanos / 1e6 / count;
    }
  }

  private final Map<String, LongAdder[]> totals = new ConcurrentHashMap<>();

  /** {@code step} starts with spaces when it ran inside another step (already counted there). */
  void record(String action, String step, long nanos) {
    LongAdder[] t = totals.computeIfAbsent(action + "/" + step, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
    t[0].add(nanos);
    t[1].increment();
  }

  public Map<String, Total> snapshot() {
    Map<String, Total> out = new TreeMap<>();
    totals.forEach((k, v) -> out.put(k, new Total(v[0].sum(), v[1].sum())));
    return out;
  }
}
