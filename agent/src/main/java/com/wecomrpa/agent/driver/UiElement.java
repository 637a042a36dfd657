package com.wecomrpa.agent.driver;

/** An element on the client's screen, found by a {@link UiDriver}. */
public interface UiElement {
  void tap();

  void type(String text);

  void clear();

  String text();

  /**
   * Several facts of this element at once, each named by a read-list field spec: {@code text},
   * {@code @attribute}, or {@code css:SELECTOR} (a child's text). A missing one reads as "".
   */
  java.util.Map<String, String> read(java.util.Map<String, String> specs);

  boolean visible();
}
