package com.wecomrpa.protocol;

/** A job lease as the agent holds it: the job and the fencing token it was offered under. */
public record LeaseRef(String jobId, long fencingToken, String deviceId) {}
