package com.wecomrpa.controller.broadcast;

import com.wecomrpa.controller.job.JobState;
import com.wecomrpa.controller.job.SendTimes;
import java.time.Instant;
import java.util.Map;

/**
 * A broadcast with its progress: how many of its jobs are in each state, what its queued jobs wait
 * for ({@code waiting}: by the rule that holds them, {@code due} for those only waiting their turn on
 * a device), and how long a successful send took on the device (start to confirmed bubble; null
 * before the first). {@code sendAt}: when its jobs fall due, for a scheduled broadcast; null when
 * they were due at once.
 */
public record Broadcast(
    String id, Content content, Target target, int jobCount, Instant createdAt, Instant sendAt, Map<JobState, Integer> progress,
    Map<String, Integer> waiting, SendTimes sendTimes) {}
