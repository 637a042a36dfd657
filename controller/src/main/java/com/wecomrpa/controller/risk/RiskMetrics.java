package com.wecomrpa.controller.risk;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Risk signals seen since start, by account and signal, in Prometheus' text format. */
public final class RiskMetrics {
  private final Map<String, AtomicLong> signals = new ConcurrentHashMap<>();

  public void count(String accountId, String signal) {
    signals.computeIfAbsent("account=\"" + accountId + "\",signal=\"" + signal + "\"", k -> new AtomicLong()).incrementAndGet();
  }

  public String prometheusText() {
    StringBuilder sb = new StringBuilder("# HELP wecom_rpa_risk_signals_total Risk states agents saw on screen.\n# TYPE wecom_rpa_risk_signals_total counter\n");
    new TreeMap<>(signals).forEach((labels, n) -> sb.append("wecom_rpa_risk_signals_total{").append(labels).append("} ").append(n.get()).append('\n'));
    return sb.toString();
  }
}
