package com.wecomrpa.protocol;

/**
 * A device an agent drives, and the account logged in on it. {@code localScripts} names the script
 * set the agent has on disk for this device ("wecom-sim@2026.11.1"), or is null when none of its own
 * supports the device's client version; the controller then routes by the sets it serves.
 */
public record DeviceInfo(String id, String accountId, String clientKind, String clientVersion, String driver, String localScripts) {}
