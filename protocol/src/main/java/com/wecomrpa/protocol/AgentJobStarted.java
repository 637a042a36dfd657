package com.wecomrpa.protocol;

/** The device began executing the job: from here on it may have sent. */
public record AgentJobStarted(String jobId, long fencingToken, String deviceId) implements Message {}
