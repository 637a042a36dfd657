package com.wecomrpa.launcher;

import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** A real headless Chromium for the console, as a user opens it, with its own chromedriver. */
final class ConsoleBrowser implements AutoCloseable {
  final ChromeDriver driver;
  private final ChromeDriverService service;

  private ConsoleBrowser(ChromeDriver driver, ChromeDriverService service) {
    this.driver = driver;
    this.service = service;
  }

  static ConsoleBrowser open(Path home) throws java.io.IOException {
    Files.createDirectories(home.resolve("tmp"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(TestStack.CHROMIUM.driver().toFile())
        .usingAnyFreePort()
        .withEnvironment(SeleniumDriver.environment(home))
        .build();
    ChromeOptions options = SeleniumDriver.options(TestStack.CHROMIUM, home);
    options.addArguments("--lang=en-US");
    ChromeDriver d = new ChromeDriver(service, options);
    d.manage().window().setSize(new Dimension(1280, 860));
    return new ConsoleBrowser(d, service);
  }

  /** Logs in through the form with {@code token}. */
  void logIn(String console, String token, String role) {
    driver.get(console);
    waitFor("the login form", () -> !driver.findElements(By.id("token")).isEmpty());
    driver.findElement(By.id("token")).sendKeys(token);
    driver.findElement(By.id("login-button")).click();
    waitFor("logged in as " + role, () -> driver.findElement(By.id("who")).getText().contains("(" + role + ")"));
  }

  /** Waits until {@code done}; on timeout says what the page showed, to tell a console bug from a slow farm. */
  void waitFor(String what, java.util.function.BooleanSupplier done) {
    try {
      TestStack.waitUntil(what, Duration.ofSeconds(30), () -> {
        try {
          return done.getAsBoolean();
        } catch (org.openqa.selenium.WebDriverException e) {
          // The page re-renders every second: an element may go stale between finding and reading.
          return false;
        }
      });
    } catch (AssertionError e) {
      String page = driver.findElement(By.tagName("body")).getText();
      throw new AssertionError(e.getMessage() + " at " + driver.getCurrentUrl() + "; the page shows: " + page.substring(0, Math.min(2000, page.length())), e);
    }
  }

  @Override
  public void close() {
    driver.quit();
    service.stop();
  }
}
