package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;

/**
 * The evidence an operator reads is readable: in the headless Chromium the agent drives, a Chinese
 * group name is drawn with real glyphs, not boxes. A character no font has (U+E000, private use)
 * is drawn as the box; without a CJK font "门店群" is three such boxes and as wide as three of them.
 */
class ChineseTextRenderingTest {
  @Test
  void aChineseGroupNameIsDrawnWithGlyphsNotBoxes(@TempDir Path dir) throws Exception {
    assertThat(TestStack.CHROMIUM.missing()).isNull();
    for (String d : new String[] {"tmp", "config", "cache"}) {
      Files.createDirectories(dir.resolve(d)); // the browser's own folders (SeleniumDriver.environment)
    }
    Path page = dir.resolve("name.html");
    Files.writeString(page, "<html><body style='font-size:32px'><span id='name'>门店群</span><br><span id='boxes'>\uE000\uE000\uE000</span></body></html>",
        StandardCharsets.UTF_8);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(TestStack.CHROMIUM.driver().toFile()).usingAnyFreePort()
        .withEnvironment(SeleniumDriver.environment(dir)).build();
    ChromeDriver driver = new ChromeDriver(service, SeleniumDriver.options(TestStack.CHROMIUM, dir));
    try {
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      driver.get(page.toUri().toString());
      int name = driver.findElement(By.id("name")).getRect().getWidth();
      int boxes = driver.findElement(By.id("boxes")).getRect().getWidth();
      assertThat(name).as("width of 门店群 against three boxes (%d px): install Debian's fonts-noto-cjk", boxes).isNotEqualTo(boxes);
    } finally {
      driver.quit();
      service.stop();
    }
  }
}
