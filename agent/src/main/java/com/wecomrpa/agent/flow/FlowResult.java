package com.wecomrpa.agent.flow;

import com.wecomrpa.protocol.Outcome;
import java.util.Map;

/** What running a flow did: the outcome, and for a failure the step, the error and a screenshot. */
public record FlowResult(Outcome outcome, String failedStep, String error, byte[] screenshot, Map<String, String> values) {}
