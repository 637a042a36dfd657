package com.wecomrpa.controller.dispatch;

import com.wecomrpa.protocol.Message;

/** The controller's end of one agent connection. */
public interface AgentLink {
  /** Sends a message; false if the connection is already gone. */
  boolean send(Message message);

  /** How long ago the agent last said anything (heartbeats included); -1 if not known. */
  default long heardMillisAgo() {
    return -1;
  }

  /** The agent's host as the connection shows it (its address); null if not known. */
  default String host() {
    return null;
  }
}
