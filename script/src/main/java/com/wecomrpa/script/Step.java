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
    Direction direction,
    int scrolls,
    String last,
    java.util.Map<String, String> fields,
    int line) {

  /**
   * What read-list takes from each match when {@code fields} is given: {@code text} (the element's
   * text), {@code @name} (an attribute) or {@code css:SELECTOR} (the text of a child, empty if none).
   */
  public static boolean validField(String spec) {
    return spec.equals("text") || spec.matches("@[A-Za-z][A-Za-z0-9_:-]*") || (spec.startsWith("css:") && spec.length() > 4);
  }

  /** Which way {@code scroll-until} moves the content: {@code down} shows what is below. */
  public enum Direction {
    UP,
    DOWN
  }

  public enum Kind {
    OPEN("open"),
    TAP("tap"),
    TYPE("type"),
    CLEAR("clear"),
    WAIT_FOR("wait-for"),
    ASSERT_VISIBLE("assert-visible"),
    READ_TEXT("read-text"),
    IF_PRESENT("if-present"),
    /**
     * Runs {@code then} if the target does not show within the step's timeout: a search that finds
     * nothing, followed by {@code signal: target-missing}.
     */
    IF_ABSENT("if-absent"),
    SCREENSHOT("screenshot"),
    SIGNAL("signal"),
    /** The client's back button or key (Android back, browser back). */
    BACK("back"),
    /** Scrolls (at most {@code scrolls} times) until the target is visible. */
    SCROLL_UNTIL("scroll-until"),
    /**
     * The texts of every visible match, the {@code last} N of them, one per line, into a variable;
     * with {@code fields}, a JSON array of one object per match instead.
     */
    READ_LIST("read-list");

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
