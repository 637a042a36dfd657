package com.wecomrpa.controller.job;

/** A lease that ran out, and where its job went: back to QUEUED, or UNKNOWN if it may have sent. */
public record ExpiredLease(String jobId, long fencingToken, String deviceId, JobState newState) {}
