package com.wecomrpa.agent.driver.appium;

import com.wecomrpa.agent.driver.WebDriverUi;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.MutableCapabilities;

/**
 * A session through an Appium server. On phones that is UiAutomator2 driving the WeCom or WeChat
 * app (see docs/appium.md); here, for the simulator, Appium's Chromium driver driving headless
 * Chromium, which runs the same flows through the same server a phone would use.
 */
public final class AppiumDriver extends WebDriverUi {
  private AppiumDriver(io.appium.java_client.AppiumDriver driver, Path home) {
    super(driver, home);
  }

  /**
   * Starts a Chromium session on the Appium server at {@code server}. Each session needs its own
   * {@code chromedriverPort}: the driver kills whatever chromedriver holds its port first.
   */
  public static AppiumDriver startChromium(URL server, ChromiumPaths paths, Path home, int chromedriverPort) {
    prepareHome(home);
    MutableCapabilities caps = new MutableCapabilities();
    caps.setCapability("platformName", "linux");
    caps.setCapability("browserName", "chrome");
    caps.setCapability("appium:automationName", "Chromium");
    caps.setCapability("appium:executable", paths.driver().toString());
    caps.setCapability("appium:autodownloadEnabled", false);
    caps.setCapability("appium:chromedriverPort", chromedriverPort);
    caps.setCapability("appium:newCommandTimeout", 300);
    List<String> args = new ArrayList<>(SeleniumDriver.HEADLESS_FLAGS);
    args.add("--user-data-dir=" + home.resolve("profile"));
    caps.setCapability("goog:chromeOptions", Map.of("binary", paths.browser().toString(), "args", args));
    io.appium.java_client.AppiumDriver driver = new io.appium.java_client.AppiumDriver(server, caps);
    driver.manage().timeouts().implicitlyWait(Duration.ZERO);
    return new AppiumDriver(driver, home);
  }

  /** Appium's Chromium driver does not find by id; in web content an id is a CSS selector. */
  @Override
  protected By byId(String id) {
    return By.cssSelector("#" + id);
  }
}
