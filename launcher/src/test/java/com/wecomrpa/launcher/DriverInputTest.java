package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wecomrpa.agent.driver.ElementGone;
import com.wecomrpa.agent.driver.UiElement;
import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
import com.wecomrpa.script.Locator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's taps and typing in a real headless Chromium are what a person's would be: trusted
 * events the page cannot tell from a hand's, on the element itself and only when it can be reached.
 * A page logs every click and input event it receives; the test reads that log back.
 */
class DriverInputTest {
  private static final String PAGE = """
      <html><body style='margin:0'>
      <pre id='log' style='height:20px;margin:0'>[]</pre>
      <script>const seen = []; const log = (e) => { seen.push([e.type, e.isTrusted, e.target.id, e.inputType || '', e.target.value ?? '']);
        document.getElementById('log').textContent = JSON.stringify(seen); };
      document.addEventListener('click', log, true); document.addEventListener('input', log, true);</script>
      <button id='open' style='width:120px;height:40px'>打开</button>
      <div style='position:relative'><button id='under' style='width:120px;height:40px'>发送</button>
        <div id='banner' style='position:absolute;left:0;top:0;width:300px;height:60px;background:#fdd'>账号异常</div></div>
      <input id='search' style='width:200px' value='旧的内容'>
      <div style='height:3000px'></div>
      <button id='far' style='width:120px;height:40px'>底部</button>
      </body></html>""";

  @TempDir static Path dir;
  private static SeleniumDriver driver;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    assertThat(TestStack.CHROMIUM.missing()).isNull();
    Path page = dir.resolve("input.html");
    Files.writeString(page, PAGE, StandardCharsets.UTF_8);
    url = page.toUri().toString();
    driver = SeleniumDriver.start(TestStack.CHROMIUM, dir.resolve("device"));
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  @BeforeEach
  void fresh() {
    driver.open(url);
  }

  private static UiElement find(String id) {
    return driver.findVisible(List.of(new Locator(Locator.Strategy.ID, id))).orElseThrow();
  }

  /** What the page received: [type, trusted, target, inputType, value] per event. */
  private static List<Object> seen() {
    return new io.vertx.core.json.JsonArray(find("log").text()).stream().map(e -> (Object) ((io.vertx.core.json.JsonArray) e).getList()).toList();
  }

  /** "open" is in view; "far" is 3,000 px below the screen and is scrolled to first. */
  @ParameterizedTest
  @ValueSource(strings = {"open", "far"})
  void aTapIsOneTrustedClickOnTheElementScrolledToIfBelowTheScreen(String id) {
    find(id).tap();
    assertThat(seen()).containsExactly(List.of("click", true, id, "", ""));
  }

  @Test
  void aCoveredElementIsNotTappedThroughAndTheTapSaysWhatCoversIt() {
    assertThatThrownBy(() -> find("under").tap()).isInstanceOf(ElementGone.class).hasMessageContaining("covered by div#banner");
    assertThat(seen()).as("nothing was clicked, neither the button nor the banner").isEmpty();
  }

  @Test
  void clearingThenTypingChineseLeavesExactlyTheTextWithTrustedInputEvents() {
    UiElement search = find("search");
    search.clear();
    search.type("门店群 0005");
    assertThat(search.text()).isEqualTo("门店群 0005");
    assertThat(seen()).containsExactly(
        List.of("input", true, "search", "deleteContentBackward", ""),
        List.of("input", true, "search", "insertText", "门店群 0005"));
  }

  @Test
  void typingWithoutClearingAppendsAtTheEnd() {
    find("search").type("，新的");
    assertThat(find("search").text()).isEqualTo("旧的内容，新的");
  }
}
