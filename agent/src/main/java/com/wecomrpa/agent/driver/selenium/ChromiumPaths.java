package com.wecomrpa.agent.driver.selenium;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where Chromium and chromedriver are. Given explicitly so Selenium Manager never goes looking on
 * the network (which costs seconds and fails offline).
 */
public record ChromiumPaths(Path browser, Path driver) {
  public static ChromiumPaths debianDefaults() {
    return new ChromiumPaths(
        Path.of(System.getenv().getOrDefault("WECOM_RPA_CHROMIUM", "/usr/bin/chromium")),
        Path.of(System.getenv().getOrDefault("WECOM_RPA_CHROMEDRIVER", "/usr/bin/chromedriver")));
  }

  /** A message saying what is missing, or null when both are there. */
  public String missing() {
    if (!Files.isExecutable(browser)) {
      return "Chromium not found at " + browser + " (install Debian's chromium, or set WECOM_RPA_CHROMIUM)";
    }
    if (!Files.isExecutable(driver)) {
      return "chromedriver not found at " + driver + " (install Debian's chromium-driver, or set WECOM_RPA_CHROMEDRIVER)";
    }
    return null;
  }
}
