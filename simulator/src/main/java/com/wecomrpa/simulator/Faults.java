package com.wecomrpa.simulator;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What goes wrong on an account's network and client, as an operator or a test sets it: sends
 * that never arrive, a client whose every request fails, a slower network. Also counts the sends
 * asked and those still on the simulated network, for a test to act in the middle of one.
 */
final class Faults {
  private final Duration sendLatency;
  private final Map<String, Long> extraSendDelayMillis = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
  private final Set<String> losingSends = ConcurrentHashMap.newKeySet();
  private final Set<String> clientsDown = ConcurrentHashMap.newKeySet();

  Faults(Duration sendLatency) {
    this.sendLatency = sendLatency;
  }

  void setLosingSends(String accountId, boolean losing) {
    mark(losingSends, accountId, losing);
  }

  boolean losesSends(String accountId) {
    return losingSends.contains(accountId);
  }

  void setClientDown(String accountId, boolean down) {
    mark(clientsDown, accountId, down);
  }

  private static void mark(Set<String> accounts, String accountId, boolean on) {
    if (on) {
      accounts.add(accountId);
    } else {
      accounts.remove(accountId);
    }
  }

  boolean clientDown(String accountId) {
    return clientsDown.contains(accountId);
  }

  void setExtraSendDelay(String accountId, long millis) {
    extraSendDelayMillis.put(accountId, millis);
  }

  /** How long a send of this account takes to reach the server. */
  long latencyOf(String accountId) {
    return Math.max(1, sendLatency.toMillis() + extraSendDelayMillis.getOrDefault(accountId, 0L));
  }

  void asked(String accountId) {
    asked.computeIfAbsent(accountId, k -> new AtomicInteger()).incrementAndGet();
  }

  int sendsAsked(String accountId) {
    var n = asked.get(accountId);
    return n == null ? 0 : n.get();
  }

  void sendLeft(String accountId) {
    inFlight.computeIfAbsent(accountId, k -> new AtomicInteger()).incrementAndGet();
  }

  void sendArrived(String accountId) {
    inFlight.get(accountId).decrementAndGet();
  }

  int sendsInFlight(String accountId) {
    var n = inFlight.get(accountId);
    return n == null ? 0 : n.get();
  }
}
