package com.wecomrpa.protocol;

/** A lease the agent renewed is no longer its own; it should stop the job if it has not sent. */
public record ControllerLeaseRevoked(String jobId, long fencingToken, String reason) implements Message {}
