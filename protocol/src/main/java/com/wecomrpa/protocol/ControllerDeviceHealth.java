package com.wecomrpa.protocol;

/**
 * The controller's view of a device's health. Unhealthy: it kept failing, gets no offers, and the
 * agent should repair it (restart the session, log in again) and say when it works.
 */
public record ControllerDeviceHealth(String deviceId, boolean healthy, String reason) implements Message {}
