package com.wecomrpa.agent.flow;

import com.wecomrpa.protocol.Outcome;
import java.util.Map;

/**
 * What running a flow did: the outcome, for a failure the step, the error and a screenshot, and a
 * risk signal if a {@code signal} step fired.
 */
public record FlowResult(
    Outcome outcome, String failedStep, String error, byte[] screenshot, Map<String, String> values, String riskSignal, boolean provenUnsent) {
  public FlowResult(Outcome outcome, String failedStep, String error, byte[] screenshot, Map<String, String> values) {
    this(outcome, failedStep, error, screenshot, values, null, false);
  }

  /**
   * This failure, explained by a risk state another flow saw. If that screen proves nothing went
   * out, a may-have-sent failure becomes a definite one.
   */
  public FlowResult explainedBy(FlowResult detected) {
    Outcome o = detected.provenUnsent() && outcome == Outcome.UNKNOWN ? Outcome.FAILED : outcome;
    String why = detected.error() != null ? detected.error() : "risk state on screen: " + detected.riskSignal();
    return new FlowResult(o, failedStep, error == null ? why : error + "; " + why, screenshot, values, detected.riskSignal(), detected.provenUnsent());
  }
}
