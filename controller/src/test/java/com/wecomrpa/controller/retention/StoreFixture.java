package com.wecomrpa.controller.retention;

import java.nio.file.Path;

/** Writes a store through a real controller (kept in the controller's own test package). */
final class StoreFixture {
  private StoreFixture() {}

  static void sentWithScreenshotAndOneWaiting(Path dir) {
    com.wecomrpa.controller.RetentionFixture.write(dir);
  }
}
