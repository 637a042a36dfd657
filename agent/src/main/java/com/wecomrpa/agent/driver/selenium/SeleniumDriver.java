package com.wecomrpa.agent.driver.selenium;

import com.wecomrpa.agent.driver.WebDriverUi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium session through chromedriver. Each device gets its own profile folder and its
 * own temp/config/cache folders, so devices share nothing and leave nothing behind.
 */
public final class SeleniumDriver extends WebDriverUi {
  /** Flags that work headless as root and keep Chromium off the (closed) network. */
  public static final List<String> HEADLESS_FLAGS =
      List.of(
          "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--no-first-run", "--disable-extensions", "--window-size=420,900");

  /**
   * Selenium logs through java.util.logging, past our logback settings. Its warning that no CDP
   * implementation matches this Chromium concerns DevTools, which no flow uses: only errors pass.
   * Held here, since java.util.logging keeps loggers only weakly.
   */
  private static final java.util.logging.Logger SELENIUM_LOG = quiet(java.util.logging.Logger.getLogger("org.openqa.selenium"));

  /** chromedriver's name for Chromium's headless shell. */
  public static final String HEADLESS_SHELL = "chrome-headless-shell";

  private final ChromeDriverService service;

  private static java.util.logging.Logger quiet(java.util.logging.Logger log) {
    log.setLevel(java.util.logging.Level.SEVERE);
    return log;
  }

  private SeleniumDriver(ChromeDriver driver, ChromeDriverService service, Path home) {
    super(driver, home);
    this.service = service;
  }

  /** Starts a fresh headless session whose files live under {@code home}. */
  public static SeleniumDriver start(ChromiumPaths paths, Path home) {
    System.setProperty("SE_OFFLINE", "true");
    prepareHome(home);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(paths.driver().toFile())
            .usingAnyFreePort()
            .withEnvironment(environment(home))
            // Also puts the home on chromedriver's command line, where an orphan can be found.
            .withLogFile(home.resolve("chromedriver.log").toFile())
            .build();
    ChromeDriver driver = new ChromeDriver(service, options(paths, home));
    driver.manage().timeouts().implicitlyWait(Duration.ZERO);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new SeleniumDriver(driver, service, home);
  }

  /** Headless Chromium (or its headless shell) with its profile under {@code home}. */
  public static ChromeOptions options(ChromiumPaths paths, Path home) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(paths.browser().toFile());
    if (paths.headlessShell()) {
      // chromedriver opens the shell's first page itself only when told the browser is the shell.
      options.setCapability("browserName", HEADLESS_SHELL);
    }
    options.addArguments(HEADLESS_FLAGS);
    options.addArguments("--user-data-dir=" + home.resolve("profile"));
    return options;
  }

  /** Chromium's environment: its own temp, config and cache folders under the device's home. */
  public static Map<String, String> environment(Path home) {
    return Map.of(
        "TMPDIR", home.resolve("tmp").toString(),
        "XDG_CONFIG_HOME", home.resolve("config").toString(),
        "XDG_CACHE_HOME", home.resolve("cache").toString(),
        "SE_OFFLINE", "true");
  }

  /** Chromium's input method commit (DevTools {@code Input.insertText}, through chromedriver). */
  @Override
  protected boolean commitText(String text) {
    ((ChromeDriver) driver).executeCdpCommand("Input.insertText", Map.of("text", text));
    return true;
  }

  @Override
  protected boolean pressBackspace() {
    ChromeDriver chrome = (ChromeDriver) driver;
    Map<String, Object> key = Map.of("windowsVirtualKeyCode", 8, "key", "Backspace", "code", "Backspace");
    chrome.executeCdpCommand("Input.dispatchKeyEvent", with(key, "type", "rawKeyDown"));
    chrome.executeCdpCommand("Input.dispatchKeyEvent", with(key, "type", "keyUp"));
    return true;
  }

  private static Map<String, Object> with(Map<String, Object> m, String k, Object v) {
    Map<String, Object> out = new java.util.HashMap<>(m);
    out.put(k, v);
    return out;
  }

  @Override
  protected By byId(String id) {
    return By.id(id);
  }

  @Override
  protected void afterQuit() {
    int port = service.getUrl().getPort();
    service.stop();
    // A session torn down mid-command can leave chromedriver (and its Chromium) running: end what
    // is left of our own chromedriver on this port, whatever state the conversation was in.
    ProcessHandle.current().children()
        .filter(p -> p.info().commandLine().map(c -> c.contains("chromedriver") && c.contains("--port=" + port)).orElse(false))
        .forEach(p -> {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        });
  }
}
