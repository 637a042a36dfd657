package com.wecomrpa.agent.link;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Which controller the link tries, and how long it waits before the next try. Agents of a farm
 * spread over a cluster's controllers, each starting at its own; a controller that fails or goes
 * silent is left for the next in the list. Waits double from 200 ms to 5 s, each with up to half
 * again of jitter so a farm does not reconnect in step; a welcome starts them over. A controller
 * that answers but is not ready (its database away) is alive and will be ready within seconds of
 * its database: it is tried again after at most 1 s (plus jitter) however long it has been so, so
 * a farm is back at work right after the outage, not one doubled wait later.
 */
final class Failover {
  static final long MIN_BACKOFF_MS = 200;
  static final long MAX_BACKOFF_MS = 5000;
  static final long NOT_READY_MS = 1000;

  private final List<String> urls;
  private final RandomGenerator random;
  private int current;
  private long backoffMs = MIN_BACKOFF_MS;

  Failover(List<String> urls, String agentId, RandomGenerator random) {
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one controller URL is required");
    }
    this.urls = List.copyOf(urls);
    this.random = random;
    this.current = Math.floorMod(agentId.hashCode(), urls.size());
  }

  String current() {
    return urls.get(current);
  }

  /** Moves to the next controller of the list and returns it. */
  String next() {
    current = (current + 1) % urls.size();
    return urls.get(current);
  }

  /** The controller to try after this one closed: the next, where there is more than one. */
  String afterClose() {
    return urls.size() > 1 ? next() : current();
  }

  /** The backoff the next wait starts from (before its jitter). */
  long backoffMs() {
    return backoffMs;
  }

  /** How long to wait before the next try; each call doubles the wait after it, up to the cap. */
  long nextDelayMs() {
    long delay = backoffMs + random.nextLong(backoffMs / 2 + 1);
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    return delay;
  }

  /**
   * How long to wait after a controller said it is not ready: the usual wait, but never more than
   * {@link #NOT_READY_MS} plus jitter. The doubling goes on underneath, for controllers that do not
   * answer at all.
   */
  long notReadyDelayMs() {
    long base = Math.min(backoffMs, NOT_READY_MS);
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    return base + random.nextLong(base / 2 + 1);
  }

  /** Welcomed: the next failure waits the least again. */
  void welcomed() {
    backoffMs = MIN_BACKOFF_MS;
  }
}
