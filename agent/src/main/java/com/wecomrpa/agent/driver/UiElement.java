package com.wecomrpa.agent.driver;

/** An element on the client's screen, found by a {@link UiDriver}. */
public interface UiElement {
  void tap();

  void type(String text);

  void clear();

  String text();

  boolean visible();
}
