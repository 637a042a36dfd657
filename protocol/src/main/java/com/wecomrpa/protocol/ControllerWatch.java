package com.wecomrpa.protocol;

/**
 * Someone is watching a device's screen: send an {@link AgentScreen} about every {@code everyMillis}
 * for the next {@code forMillis}, then stop. The controller asks again while the watcher stays, so
 * a device nobody watches sends nothing.
 */
public record ControllerWatch(String deviceId, long forMillis, long everyMillis) implements Message {}
