package com.wecomrpa.agent.driver.selenium;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where Chromium and chromedriver are. Given explicitly so Selenium Manager never goes looking on
 * the network (which costs seconds and fails offline).
 */
public record ChromiumPaths(Path browser, Path driver) {
  /** Debian's headless shell: the agent only ever runs headless, and the shell starts on a third of the CPU. */
  static final Path HEADLESS_SHELL = Path.of("/usr/bin/chromium-headless-shell");

  /**
   * {@code WECOM_RPA_CHROMIUM} when set; otherwise Debian's headless shell when installed, else its
   * full Chromium.
   */
  public static ChromiumPaths debianDefaults() {
    String browser = System.getenv("WECOM_RPA_CHROMIUM");
    return new ChromiumPaths(
        browser != null ? Path.of(browser) : Files.isExecutable(HEADLESS_SHELL) ? HEADLESS_SHELL : Path.of("/usr/bin/chromium"),
        Path.of(System.getenv().getOrDefault("WECOM_RPA_CHROMEDRIVER", "/usr/bin/chromedriver")));
  }

  /** Whether the browser is Chromium's headless shell (Debian's chromium-headless-shell). */
  public boolean headlessShell() {
    return browser.getFileName() != null && browser.getFileName().toString().contains("headless-shell");
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
