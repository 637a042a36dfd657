package com.wecomrpa.controller.group;

import java.time.Instant;
import java.util.List;

/**
 * A group with whether the client can find it: {@code ok}, {@code unreachable} (with the evidence:
 * why, since when, the job and execution whose screenshot shows it, and how many jobs are held),
 * or {@code gone} (confirmed by an operator).
 */
public record GroupStatus(
    String id, String name, String accountId, List<String> tags, String reachability, String reason, Instant since, String evidenceJob,
    Long evidenceExecution, int heldJobs) {}
