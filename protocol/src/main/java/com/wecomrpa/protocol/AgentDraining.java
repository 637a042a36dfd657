package com.wecomrpa.protocol;

/** The agent is shutting down: offer its devices nothing more; running jobs will still report. */
public record AgentDraining(String reason) implements Message {}
