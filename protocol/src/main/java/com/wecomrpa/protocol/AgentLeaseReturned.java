package com.wecomrpa.protocol;

/** A lease the device never started, handed back (the agent is draining): the job can go elsewhere. */
public record AgentLeaseReturned(String jobId, long fencingToken, String deviceId) implements Message {}
