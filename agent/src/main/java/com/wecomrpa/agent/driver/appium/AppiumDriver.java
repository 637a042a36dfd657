package com.wecomrpa.agent.driver.appium;

import com.wecomrpa.agent.driver.WebDriverUi;
import com.wecomrpa.script.Locator;
import com.wecomrpa.script.Step;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.MutableCapabilities;

/**
 * A session through an Appium server. On phones that is UiAutomator2 driving the WeCom or WeChat
 * app (see docs/appium.md); here, for the simulator, Appium's Chromium driver driving headless
 * Chromium, which runs the same flows through the same server a phone would use.
 */
public final class AppiumDriver extends WebDriverUi {
  /** A native app session (UiAutomator2) rather than a browser one. */
  private final boolean nativeApp;

  private AppiumDriver(io.appium.java_client.AppiumDriver driver, Path home, boolean nativeApp) {
    super(driver, home);
    this.nativeApp = nativeApp;
  }

  /**
   * Opens the app a device profile names (UiAutomator2 on an Android phone: {@code
   * appium:appPackage}, {@code appium:udid}, ...). Only tried against the simulator's Chromium
   * sessions here; see docs/appium.md for a phone.
   */
  public static AppiumDriver startNative(URL server, Map<String, Object> capabilities, Path home) {
    prepareHome(home);
    MutableCapabilities caps = new MutableCapabilities();
    capabilities.forEach(caps::setCapability);
    io.appium.java_client.AppiumDriver driver = new io.appium.java_client.AppiumDriver(server, caps);
    driver.manage().timeouts().implicitlyWait(Duration.ZERO);
    return new AppiumDriver(driver, home, true);
  }

  /**
   * Starts a Chromium session on the Appium server at {@code server}. Each session needs its own
   * {@code chromedriverPort}: the driver kills whatever chromedriver holds its port first.
   */
  public static AppiumDriver startChromium(URL server, ChromiumPaths paths, Path home, int chromedriverPort) {
    prepareHome(home);
    // The same browser, name and flags chromedriver gets from the Selenium driver.
    MutableCapabilities caps = new MutableCapabilities(SeleniumDriver.options(paths, home).asMap());
    caps.setCapability("platformName", "linux");
    caps.setCapability("appium:automationName", "Chromium");
    caps.setCapability("appium:executable", paths.driver().toString());
    caps.setCapability("appium:autodownloadEnabled", false);
    caps.setCapability("appium:chromedriverPort", chromedriverPort);
    caps.setCapability("appium:newCommandTimeout", 300);
    io.appium.java_client.AppiumDriver driver = new io.appium.java_client.AppiumDriver(server, caps);
    driver.manage().timeouts().implicitlyWait(Duration.ZERO);
    return new AppiumDriver(driver, home, false);
  }

  /**
   * In an app, an id is the Android resource-id ({@code com.tencent.wework:id/...}). Appium's
   * Chromium driver does not find by id; in web content an id is a CSS selector.
   */
  @Override
  protected By byId(String id) {
    return nativeApp ? By.id(id) : By.cssSelector("#" + id);
  }

  @Override
  protected boolean webContent() {
    return !nativeApp;
  }

  /** In an app: accessibility id is the content-desc, text is the element's text attribute. */
  @Override
  protected By by(Locator l) {
    if (!nativeApp) {
      return super.by(l);
    }
    return switch (l.strategy()) {
      case ACCESSIBILITY_ID -> io.appium.java_client.AppiumBy.accessibilityId(l.value());
      case TEXT -> By.xpath("//*[@text=" + Locator.xpathLiteral(l.value()) + "]");
      case CSS -> throw new IllegalArgumentException("css locators do not apply to an app; use id, accessibility-id, text or xpath");
      default -> super.by(l);
    };
  }

  /** In an app, a swipe over the middle of the screen (UiAutomator2's scroll gesture). */
  @Override
  public void scroll(Step.Direction direction) {
    if (!nativeApp) {
      super.scroll(direction);
      return;
    }
    var size = driver.manage().window().getSize();
    ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("mobile: scrollGesture", Map.of(
        "left", size.width / 10, "top", size.height / 5, "width", size.width * 8 / 10, "height", size.height * 3 / 5,
        "direction", direction == Step.Direction.DOWN ? "down" : "up", "percent", 0.8));
  }
}
