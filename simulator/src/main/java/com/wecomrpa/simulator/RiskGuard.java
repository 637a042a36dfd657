package com.wecomrpa.simulator;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The simulated platform's view of each account's behaviour, judged by its {@link RiskModel}. */
final class RiskGuard {
  enum Verdict {
    OK,
    WARNED,
    RESTRICTED
  }

  private static final class State {
    RiskModel model;
    final Deque<Instant> recent = new ArrayDeque<>();
    Instant warnedAt;
    boolean restricted;
  }

  private final RiskModel defaults;
  private final ZoneId zone;
  private final Map<String, State> states = new HashMap<>();
  private final List<RiskEvent> events = new ArrayList<>();

  RiskGuard(RiskModel defaults, ZoneId zone) {
    this.defaults = defaults;
    this.zone = zone;
  }

  synchronized void setModel(String accountId, RiskModel model) {
    state(accountId).model = model;
  }

  /** The platform restricts the account (a complaint, a review): its next send meets the restriction screen. */
  synchronized void restrict(String accountId, Instant now) {
    state(accountId).restricted = true;
    events.add(new RiskEvent(accountId, "restricted", now));
  }

  /** Clears warnings and restriction, as an appeal that succeeded. */
  synchronized void reset(String accountId) {
    State s = state(accountId);
    s.warnedAt = null;
    s.restricted = false;
    s.recent.clear();
  }

  /** Judges one send; {@code postsToGroupToday} is null for sends that are not group posts. */
  synchronized Verdict judge(String accountId, Integer postsToGroupToday, Instant now) {
    State s = state(accountId);
    RiskModel m = s.model == null ? defaults : s.model;
    if (s.restricted) {
      return Verdict.RESTRICTED;
    }
    if (s.warnedAt != null && now.isBefore(s.warnedAt.plus(m.warningMemory()))) {
      s.restricted = true;
      events.add(new RiskEvent(accountId, "restricted", now));
      return Verdict.RESTRICTED;
    }
    while (!s.recent.isEmpty() && !s.recent.peekFirst().isAfter(now.minus(m.memory()))) {
      s.recent.pollFirst();
    }
    boolean tooMany = false;
    for (RiskModel.Rate r : m.rates()) {
      Instant since = now.minus(r.window());
      long inWindow = 0;
      for (java.util.Iterator<Instant> it = s.recent.descendingIterator(); it.hasNext() && it.next().isAfter(since); ) {
        inWindow++;
      }
      tooMany |= inWindow >= r.max();
    }
    boolean groupFull = postsToGroupToday != null && m.maxPostsPerGroupPerDay() > 0 && postsToGroupToday >= m.maxPostsPerGroupPerDay();
    if (tooMany || groupFull) {
      s.warnedAt = now;
      events.add(new RiskEvent(accountId, "too-frequent", now));
      return Verdict.WARNED;
    }
    s.recent.addLast(now);
    return Verdict.OK;
  }

  synchronized List<RiskEvent> events() {
    return List.copyOf(events);
  }

  LocalDate day(Instant at) {
    return LocalDate.ofInstant(at, zone);
  }

  private State state(String accountId) {
    return states.computeIfAbsent(accountId, k -> new State());
  }
}
