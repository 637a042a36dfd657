package com.wecomrpa.protocol;

/**
 * Answer to a report. {@code accepted} false means the lease was expired or superseded; the agent
 * drops the report either way, since re-sending cannot change the answer.
 */
public record ControllerReportAck(String reportId, String jobId, boolean accepted, String reason)
    implements Message {}
