package com.wecomrpa.controller.gateway;

import com.wecomrpa.protocol.ControllerNotStored;

/** What the controller says of a kept message it could not store (its database was away): send it again soon. */
final class NotStored {
  /** How soon the agent tries again; it doubles this while the refusals repeat (up to 1 s). */
  static final long RETRY_AFTER_MS = 250;

  private NotStored() {}

  static ControllerNotStored of(String keptId, Throwable cause) {
    return new ControllerNotStored(keptId, why(cause), RETRY_AFTER_MS);
  }

  /** The cause in one line (the deepest message), for the log and the agent. */
  static String why(Throwable cause) {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.length() > 300 ? m.substring(0, 300) : m;
  }
}
