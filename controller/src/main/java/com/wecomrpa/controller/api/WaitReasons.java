package com.wecomrpa.controller.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.job.Job;
import com.wecomrpa.controller.job.JobState;
import com.wecomrpa.protocol.WireCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a due job that no claim rule holds is waiting for, read from the devices as they are now: no
 * device for its account, its devices drained or unhealthy (named), or busy (with what). A job a
 * rule holds keeps the rule's own words.
 */
final class WaitReasons {
  private static final ObjectMapper JSON = WireCodec.mapper();

  private WaitReasons() {}

  static List<Job> explain(List<Job> jobs, List<?> devices, Instant now) {
    Map<String, List<Map<?, ?>>> byAccount = new LinkedHashMap<>();
    for (Object d : devices) {
      Map<?, ?> m = d instanceof Map<?, ?> map ? map : JSON.convertValue(d, Map.class);
      byAccount.computeIfAbsent(String.valueOf(m.get("accountId")), k -> new ArrayList<>()).add(m);
    }
    List<Job> out = new ArrayList<>(jobs.size());
    for (Job j : jobs) {
      boolean due = j.state() == JobState.QUEUED && j.decidedBy() == null && j.waitNote() == null && !j.notBefore().isAfter(now);
      out.add(due ? j.withWaitNote(note(j.accountId(), byAccount.getOrDefault(j.accountId(), List.of()))) : j);
    }
    return out;
  }

  private static String note(String accountId, List<Map<?, ?>> devices) {
    if (devices.isEmpty()) {
      return "no device: none holding " + accountId + " is connected";
    }
    List<String> busy = new ArrayList<>();
    List<String> away = new ArrayList<>();
    for (Map<?, ?> d : devices) {
      String state = String.valueOf(d.get("state"));
      String id = String.valueOf(d.get("deviceId"));
      switch (state) {
        case "idle", "claiming" -> {
          return "due: " + id + " takes it at its next claim";
        }
        case "busy", "listening" -> busy.add(id + " " + state + (d.get("jobId") == null ? "" : " with " + d.get("jobId")));
        default -> away.add(id + " " + state);
      }
    }
    if (!busy.isEmpty()) {
      return "waiting its turn: " + String.join(", ", busy);
    }
    return "no device: " + String.join(", ", away);
  }
}
