package com.wecomrpa.agent.driver;

/**
 * The element changed under the driver (re-rendered, covered, not yet interactable). Worth finding
 * again and retrying until the step's timeout, unlike a lost session.
 */
public final class ElementGone extends RuntimeException {
  public ElementGone(String message, Throwable cause) {
    super(message, cause);
  }
}
