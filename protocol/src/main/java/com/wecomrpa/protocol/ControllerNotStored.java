package com.wecomrpa.protocol;

/**
 * The controller could not store a kept message (a report, what a listen heard): its database was
 * away. Nothing of it was applied; the agent keeps it and sends it again on the same connection
 * after {@code retryAfterMillis} (and backs off while refusals repeat), as well as at reconnect.
 */
public record ControllerNotStored(String keptId, String reason, long retryAfterMillis) implements Message {}
