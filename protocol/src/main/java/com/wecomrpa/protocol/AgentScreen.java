package com.wecomrpa.protocol;

/**
 * One picture of a watched device's screen (PNG, base64), taken between steps of the job it is
 * running ({@code jobId} and {@code step}) or while it is idle (both null).
 */
public record AgentScreen(String deviceId, String jobId, String step, String png, long takenAtMillis) implements Message {}
