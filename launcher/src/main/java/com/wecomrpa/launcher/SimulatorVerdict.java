package com.wecomrpa.launcher;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The simulator's own record held against the fleet: how many groups got a second message, how many none. */
record SimulatorVerdict(int groups, int duplicates, int lost, List<String> wrong) {
  /** {@code counts}: messages per group, as the simulator's {@code /sim/api/message-counts} says. */
  static SimulatorVerdict of(Fleet fleet, Map<String, Object> counts) {
    int duplicates = 0;
    int lost = 0;
    List<String> wrong = new ArrayList<>();
    for (Fleet.GroupSeed g : fleet.groups()) {
      int n = ((Number) counts.getOrDefault(g.id(), 0)).intValue();
      duplicates += Math.max(0, n - 1);
      lost += n == 0 ? 1 : 0;
      if (n != 1) {
        wrong.add(g.id() + "=" + n);
      }
    }
    return new SimulatorVerdict(fleet.groups().size(), duplicates, lost, wrong);
  }

  /** The line ops read: every group exactly one message, or which did not. */
  void print(PrintStream out) {
    if (wrong.isEmpty()) {
      out.printf("simulator check: all %d groups hold exactly one message%n", groups);
    } else {
      out.printf("simulator check FAILED: %d of %d groups hold other than exactly one message: %s%n", wrong.size(), groups, wrong.subList(0, Math.min(20, wrong.size())));
    }
  }
}
