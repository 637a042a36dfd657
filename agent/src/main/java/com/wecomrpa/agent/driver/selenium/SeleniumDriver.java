package com.wecomrpa.agent.driver.selenium;

import com.wecomrpa.agent.driver.ElementGone;
import com.wecomrpa.agent.driver.Locator;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.driver.UiElement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium session through chromedriver. Each device gets its own profile folder and its
 * own temp/config/cache folders, so devices share nothing and leave nothing behind.
 */
public final class SeleniumDriver implements UiDriver {
  /** Flags that work headless as root and keep Chromium off the (closed) network. */
  public static final List<String> HEADLESS_FLAGS =
      List.of(
          "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--no-first-run", "--disable-extensions", "--window-size=420,900");

  private final ChromeDriver driver;
  private final ChromeDriverService service;
  private final Path home;

  private SeleniumDriver(ChromeDriver driver, ChromeDriverService service, Path home) {
    this.driver = driver;
    this.service = service;
    this.home = home;
  }

  /** Starts a fresh headless session whose files live under {@code home}. */
  public static SeleniumDriver start(ChromiumPaths paths, Path home) {
    System.setProperty("SE_OFFLINE", "true");
    try {
      deleteTree(home);
      Files.createDirectories(home.resolve("tmp"));
      Files.createDirectories(home.resolve("config"));
      Files.createDirectories(home.resolve("cache"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(paths.driver().toFile())
            .usingAnyFreePort()
            .withEnvironment(
                Map.of(
                    "TMPDIR", home.resolve("tmp").toString(),
                    "XDG_CONFIG_HOME", home.resolve("config").toString(),
                    "XDG_CACHE_HOME", home.resolve("cache").toString(),
                    "SE_OFFLINE", "true"))
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(paths.browser().toFile());
    options.addArguments(HEADLESS_FLAGS);
    options.addArguments("--user-data-dir=" + home.resolve("profile"));
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().implicitlyWait(Duration.ZERO);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new SeleniumDriver(driver, service, home);
  }

  @Override
  public void open(String url) {
    driver.get(url);
  }

  @Override
  public Optional<UiElement> findVisible(List<Locator> candidates) {
    for (Locator l : candidates) {
      for (WebElement e : driver.findElements(by(l))) {
        try {
          if (e.isDisplayed()) {
            return Optional.of(new Element(e));
          }
        } catch (StaleElementReferenceException stale) {
          // gone between find and check: try the next
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public byte[] screenshot() {
    return driver.getScreenshotAs(OutputType.BYTES);
  }

  @Override
  public boolean alive() {
    try {
      driver.getWindowHandle();
      return true;
    } catch (WebDriverException e) {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } catch (RuntimeException ignored) {
      // already dead; the service stop below cleans up
    } finally {
      service.stop();
      try {
        deleteTree(home);
      } catch (IOException ignored) {
        // left for the next start of this device, which clears it first
      }
    }
  }

  static By by(Locator l) {
    return switch (l.strategy()) {
      case CSS -> By.cssSelector(l.value());
      case XPATH -> By.xpath(l.value());
      case ID -> By.id(l.value());
      case ACCESSIBILITY_ID -> By.cssSelector("[aria-label=\"" + l.value().replace("\"", "\\\"") + "\"]");
      case TEXT -> By.xpath("//*[normalize-space(text())=" + Locator.xpathLiteral(l.value()) + "]");
    };
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static final class Element implements UiElement {
    private final WebElement e;

    Element(WebElement e) {
      this.e = e;
    }

    @Override
    public void tap() {
      guard(e::click);
    }

    @Override
    public void type(String text) {
      guard(() -> e.sendKeys(text));
    }

    @Override
    public void clear() {
      guard(e::clear);
    }

    @Override
    public String text() {
      try {
        String tag = e.getTagName();
        return tag.equals("input") || tag.equals("textarea") ? e.getDomProperty("value") : e.getText();
      } catch (StaleElementReferenceException stale) {
        throw new ElementGone("element was re-rendered", stale);
      }
    }

    @Override
    public boolean visible() {
      try {
        return e.isDisplayed();
      } catch (StaleElementReferenceException stale) {
        return false;
      }
    }

    private static void guard(Runnable r) {
      try {
        r.run();
      } catch (StaleElementReferenceException | ElementNotInteractableException ex) {
        throw new ElementGone(ex.getClass().getSimpleName(), ex);
      }
    }
  }
}
