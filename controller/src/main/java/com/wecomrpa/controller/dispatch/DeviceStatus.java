package com.wecomrpa.controller.dispatch;

import java.time.Instant;

/**
 * A device as ops see it: who drives it, which account it holds, what it is doing (idle, claiming,
 * busy, draining, unhealthy, unsupported), which scripts it runs, and what is wrong with it if
 * anything ({@code problem}: why it is unhealthy, or why no script set can drive it), and how long
 * ago its agent last spoke ({@code heartbeatAgeMillis}) from which host ({@code agentHost}).
 */
public record DeviceStatus(
    String deviceId,
    String agentId,
    String accountId,
    String clientKind,
    String clientVersion,
    String driver,
    String state,
    String jobId,
    Instant since,
    String scripts,
    String health,
    String problem,
    long heartbeatAgeMillis,
    String agentHost) {}
