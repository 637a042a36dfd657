package com.wecomrpa.script;

import java.time.Duration;
import java.util.List;

/**
 * One step of a flow. {@code target} names a locator in the script set's locators file. A step that
 * {@code commits} is the one that makes the action visible to others (pressing send): a failure at
 * or after it means the message may be out. A {@code signal} step marked {@code unsent} names a
 * screen that proves the action did not go out (the platform refused it), making the failure
 * definite even after the committing step.
 */
public record Step(
    String name,
    Kind kind,
    String target,
    String text,
    boolean clearFirst,
    String into,
    Duration timeout,
    boolean commits,
    boolean unsent,
    List<Step> then,
    int line) {

  public enum Kind {
    OPEN("open"),
    TAP("tap"),
    TYPE("type"),
    CLEAR("clear"),
    WAIT_FOR("wait-for"),
    ASSERT_VISIBLE("assert-visible"),
    READ_TEXT("read-text"),
    IF_PRESENT("if-present"),
    SCREENSHOT("screenshot"),
    SIGNAL("signal");

    private final String key;

    Kind(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Kind fromKey(String key) {
      for (Kind k : values()) {
        if (k.key.equals(key)) {
          return k;
        }
      }
      return null;
    }
  }
}
