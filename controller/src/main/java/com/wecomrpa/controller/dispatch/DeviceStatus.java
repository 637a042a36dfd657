package com.wecomrpa.controller.dispatch;

import java.time.Instant;

/** A device as ops see it: who drives it, which account it holds, and what it is doing. */
public record DeviceStatus(
    String deviceId,
    String agentId,
    String accountId,
    String clientKind,
    String clientVersion,
    String driver,
    String state,
    String jobId,
    Instant since) {}
