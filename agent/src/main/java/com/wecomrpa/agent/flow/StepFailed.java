package com.wecomrpa.agent.flow;

/** A step that could not do its part; its message names the step and what was seen. */
final class StepFailed extends RuntimeException {
  StepFailed(String message) {
    super(message);
  }
}
