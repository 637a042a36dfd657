package com.wecomrpa.protocol;

/** The connection is refused (bad token, malformed hello); the controller closes it after this. */
public record ControllerRefusal(String reason) implements Message {}
