package com.wecomrpa.controller.broadcast;

import com.wecomrpa.controller.job.JobState;
import com.wecomrpa.controller.job.SendTimes;
import java.time.Instant;
import java.util.Map;

/**
 * A broadcast with its progress: how many of its jobs are in each state, and how long a successful
 * send took on the device (start to confirmed bubble).
 */
public record Broadcast(
    String id, Content content, Target target, int jobCount, Instant createdAt, Map<JobState, Integer> progress, SendTimes sendTimes) {}
