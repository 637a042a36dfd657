package com.wecomrpa.protocol;

/** The agent needs a script set version the controller serves (asked between jobs, never mid-job). */
public record AgentScriptRequest(String client, String version) implements Message {}
