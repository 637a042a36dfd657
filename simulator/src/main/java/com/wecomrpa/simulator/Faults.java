package com.wecomrpa.simulator;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What goes wrong on an account's network and client, as an operator or a test sets it: sends
 * that never arrive, a client whose every request fails, a slower network, the platform's content
 * filter. Also counts the sends
 * asked and those still on the simulated network, for a test to act in the middle of one.
 */
final class Faults {
  private final Duration sendLatency;
  private final Map<String, Long> extraSendDelayMillis = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
  private final Set<String> losingSends = ConcurrentHashMap.newKeySet();
  private final Set<String> clientsDown = ConcurrentHashMap.newKeySet();
  private volatile Set<String> refusedWords = Set.of();

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

  /** The platform's content filter: a message containing one of these is refused, whoever sends it. */
  void setRefusedWords(java.util.Collection<String> words) {
    refusedWords = Set.copyOf(words.stream().filter(w -> w != null && !w.isBlank()).toList());
  }

  Set<String> refusedWords() {
    return refusedWords;
  }

  /** The first refused word {@code text} contains, or null. */
  String refusedWordIn(String text) {
    for (String w : refusedWords) {
      if (text != null && text.contains(w)) {
        return w;
      }
    }
    return null;
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
