package com.wecomrpa.agent.driver;

import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.appium.AppiumDriver;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import com.wecomrpa.loopback.FreePort;
import java.net.URL;
import java.nio.file.Path;

/**
 * Opens the UI session a device's profile asks for: {@code selenium} (chromedriver, for web and
 * desktop clients) or {@code appium} (through the Appium server at {@code appiumServer}).
 */
public final class DeviceDrivers implements DriverLauncher {
  private final ChromiumPaths chromium;
  private final Path workDir;
  private final URL appiumServer;

  /** {@code appiumServer} may be null when no device uses Appium. */
  public DeviceDrivers(ChromiumPaths chromium, Path workDir, URL appiumServer) {
    this.chromium = chromium;
    this.workDir = workDir;
    this.appiumServer = appiumServer;
  }

  @Override
  public UiDriver start(DeviceProfile device) {
    // Absolute, so a session's command lines name it and a later start can find its orphans.
    Path home = workDir.resolve(device.id()).toAbsolutePath().normalize();
    return switch (device.driver()) {
      case "selenium" -> SeleniumDriver.start(chromium, home);
      case "appium" -> {
        if (appiumServer == null) {
          throw new IllegalStateException("device " + device.id() + " uses Appium but no Appium server is configured");
        }
        yield device.capabilities().isEmpty()
            ? AppiumDriver.startChromium(appiumServer, chromium, home, FreePort.pick())
            : AppiumDriver.startNative(appiumServer, device.capabilities(), home);
      }
      default -> throw new IllegalArgumentException("device " + device.id() + ": unknown driver " + device.driver() + " (selenium or appium)");
    };
  }
}
