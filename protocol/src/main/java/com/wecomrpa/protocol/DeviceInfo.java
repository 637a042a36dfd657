package com.wecomrpa.protocol;

/** A device an agent drives, and the account logged in on it. */
public record DeviceInfo(String id, String accountId, String clientKind, String clientVersion, String driver) {}
