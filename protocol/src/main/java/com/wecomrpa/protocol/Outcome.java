package com.wecomrpa.protocol;

/** What an execution attempt really did, as the agent saw it on screen. */
public enum Outcome {
  /** The message is confirmed visible in the chat. */
  SUCCEEDED,
  /** A step failed before anything was sent: safe to try again. */
  FAILED,
  /** A step failed at or after the send: the message may or may not be out. */
  UNKNOWN
}
