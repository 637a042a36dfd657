package com.wecomrpa.controller.broadcast;

import com.wecomrpa.controller.job.JobState;
import java.time.Instant;
import java.util.Map;

/** A broadcast with its progress: how many of its jobs are in each state. */
public record Broadcast(String id, Content content, Target target, int jobCount, Instant createdAt, Map<JobState, Integer> progress) {}
