package com.wecomrpa.agent.driver;

import com.wecomrpa.script.Locator;
import com.wecomrpa.script.Step;
import java.util.List;
import java.util.Optional;

/**
 * One UI session on one device: a browser tab for web and desktop clients, an app for phones. The
 * flow interpreter speaks only this, so a script runs the same through Selenium or Appium.
 */
public interface UiDriver extends AutoCloseable {
  /** Navigates to a URL (web clients) or deep link (apps). */
  void open(String url);

  /**
   * The first visible element matched by any of {@code candidates}, tried in order; empty if none
   * is visible right now. Never waits: waiting is the interpreter's job.
   */
  Optional<UiElement> findVisible(List<Locator> candidates);

  /** Every visible element matched by the first of {@code candidates} that matches any, in screen order. */
  List<UiElement> findAllVisible(List<Locator> candidates);

  /** The client's back: the Android back key, the browser's back. */
  void back();

  /** Moves the scrollable content under the middle of the screen by about one screen. */
  void scroll(Step.Direction direction);

  /** A PNG of the current screen, or null if the session cannot take one. */
  byte[] screenshot();

  /** False once the session is gone (browser crashed, app killed). */
  boolean alive();

  @Override
  void close();
}
