package com.wecomrpa.agent.driver;

import com.wecomrpa.script.Locator;
import com.wecomrpa.script.Step;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;

/**
 * A UI session behind the W3C WebDriver protocol, whoever serves it (chromedriver directly, or an
 * Appium server). Subclasses say how a session starts, what else closing it ends, and how an
 * {@code id} is found. Each session's browser files live in its own {@code home}, removed on close.
 */
public abstract class WebDriverUi implements UiDriver {
  protected final WebDriver driver;
  private final Path home;

  /** A device's browser folders, emptied first (see {@link DeviceHome#prepare}). */
  public static void prepareHome(Path home) {
    DeviceHome.prepare(home);
  }

  protected WebDriverUi(WebDriver driver, Path home) {
    this.driver = driver;
    this.home = home;
  }

  /** How this kind of session finds an element by id. */
  protected abstract By byId(String id);

  /** What else ends with the session (e.g. the chromedriver process); runs after quit. */
  protected void afterQuit() {}

  @Override
  public void close() {
    try {
      driver.quit();
    } catch (RuntimeException ignored) {
      // already dead: what follows still cleans up
    } finally {
      afterQuit();
      try {
        DeviceHome.deleteTree(home);
      } catch (IOException ignored) {
        // cleared at this device's next start
      }
    }
  }

  @Override
  public void open(String url) {
    driver.get(url);
  }

  /**
   * In a web page, all candidates are tried in one round trip: the first displayed match, in the
   * order the locators are listed (a displayed element has a box and is not hidden or transparent).
   */
  private static final String FIND_VISIBLE =
      "const shown = e => { const r = e.getBoundingClientRect();"
          + " return r.width > 0 && r.height > 0 && e.checkVisibility({opacityProperty: true, visibilityProperty: true}); };"
          + "for (const [kind, value] of arguments[0]) {"
          + "  let found = [];"
          + "  if (kind === 'css') { found = document.querySelectorAll(value); }"
          + "  else { const s = document.evaluate(value, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);"
          + "    for (let i = 0; i < s.snapshotLength; i++) found.push(s.snapshotItem(i)); }"
          + "  for (const e of found) { if (e.nodeType === 1 && shown(e)) return e; }"
          + "}"
          + "return null;";

  /** Whether the session shows web content (one script finds elements); false for a native app. */
  protected boolean webContent() {
    return true;
  }

  @Override
  public Optional<UiElement> findVisible(List<Locator> candidates) {
    if (webContent()) {
      List<List<String>> ways = candidates.stream().map(WebDriverUi::asQuery).toList();
      Object e = ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(FIND_VISIBLE, ways);
      return e instanceof WebElement w ? Optional.of(new Element(w, this)) : Optional.empty();
    }
    for (Locator l : candidates) {
      for (WebElement e : driver.findElements(by(l))) {
        try {
          if (e.isDisplayed()) {
            return Optional.of(new Element(e, null));
          }
        } catch (StaleElementReferenceException stale) {
          // gone between find and check: try the next
        }
      }
    }
    return Optional.empty();
  }

  /** A locator as the page script takes it: css or xpath, and the query. */
  private static List<String> asQuery(Locator l) {
    return switch (l.strategy()) {
      case CSS -> List.of("css", l.value());
      case XPATH -> List.of("xpath", l.value());
      case ID -> List.of("css", "[id=\"" + l.value().replace("\\", "\\\\").replace("\"", "\\\"") + "\"]");
      case ACCESSIBILITY_ID -> List.of("css", "[aria-label=\"" + l.value().replace("\\", "\\\\").replace("\"", "\\\"") + "\"]");
      case TEXT -> List.of("xpath", "//*[normalize-space(text())=" + Locator.xpathLiteral(l.value()) + "]");
    };
  }

  @Override
  public List<UiElement> findAllVisible(List<Locator> candidates) {
    for (Locator l : candidates) {
      List<UiElement> seen = new java.util.ArrayList<>();
      for (WebElement e : driver.findElements(by(l))) {
        try {
          if (e.isDisplayed()) {
            seen.add(new Element(e, webContent() ? this : null));
          }
        } catch (StaleElementReferenceException stale) {
          // gone between find and check
        }
      }
      if (!seen.isEmpty()) {
        return seen;
      }
    }
    return List.of();
  }

  @Override
  public void back() {
    driver.navigate().back();
  }

  /**
   * Scrolls the nearest scrollable box under the middle of the page (a chat or a list), or the page
   * itself; web clients scroll their panes, not the window.
   */
  @Override
  public void scroll(Step.Direction direction) {
    ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
        "let el = document.elementFromPoint(innerWidth / 2, innerHeight / 2);"
            + "while (el && !(el.scrollHeight > el.clientHeight && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;"
            + "(el || document.scrollingElement).scrollBy(0, arguments[0] * innerHeight * 0.8);",
        direction == Step.Direction.DOWN ? 1 : -1);
  }

  @Override
  public byte[] screenshot() {
    return ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
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

  protected By by(Locator l) {
    return switch (l.strategy()) {
      case CSS -> By.cssSelector(l.value());
      case XPATH -> By.xpath(l.value());
      case ID -> byId(l.value());
      case ACCESSIBILITY_ID -> By.cssSelector("[aria-label=\"" + l.value().replace("\"", "\\\"") + "\"]");
      case TEXT -> By.xpath("//*[normalize-space(text())=" + Locator.xpathLiteral(l.value()) + "]");
    };
  }

  /**
   * Commits text into the focused field as an input method does (one trusted {@code insertText}
   * input event for the whole string, as Chinese text arrives from a real keyboard), replacing the
   * selection if there is one; false if this session cannot, and the caller types key by key.
   */
  protected boolean commitText(String text) {
    return false;
  }

  /** Presses and releases Backspace in the focused field (a trusted key); false if this session cannot. */
  protected boolean pressBackspace() {
    return false;
  }

  /**
   * Before a tap in web content: the element scrolled into view, with a box, and the topmost thing
   * at its centre (or inside it), as a finger would find it. Answers why not, or null.
   */
  private static final String TAPPABLE =
      "const e = arguments[0]; e.scrollIntoView({block: 'nearest', inline: 'nearest'});"
          + "const r = e.getBoundingClientRect(); if (r.width === 0 || r.height === 0) return 'it has no box';"
          + "const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
          + "if (at && (at === e || e.contains(at))) return null;"
          + "return 'it is covered by ' + (at ? at.tagName.toLowerCase() + (at.id ? '#' + at.id : '') : 'nothing in view');";

  /**
   * Focuses a text field for typing; with {@code selectAll} its whole text is selected (to be
   * replaced), else the caret goes to its end. False if the element takes no text this way.
   */
  private static final String FOCUS_FIELD =
      "const e = arguments[0]; if (!(e.tagName === 'INPUT' || e.tagName === 'TEXTAREA') || e.disabled || e.readOnly) return false;"
          + "e.focus(); if (document.activeElement !== e) return false;"
          + "try { const end = e.value.length; e.setSelectionRange(arguments[1] ? 0 : end, end); } catch (x) { return false; } return true;";

  /** An input's value, or an element's rendered text trimmed as WebDriver's getText trims it. */
  private static final String TEXT_OF =
      "const e = arguments[0]; return (e.tagName === 'INPUT' || e.tagName === 'TEXTAREA') ? e.value : e.innerText.trim();";

  /** Every field of one element in one script call (web content): see {@link UiElement#read}. */
  private static final String FIELDS_OF =
      "const e = arguments[0], specs = arguments[1], out = {};"
          + "const txt = (n) => n ? ((n.tagName === 'INPUT' || n.tagName === 'TEXTAREA') ? n.value : n.innerText.trim()) : '';"
          + "for (const [k, s] of Object.entries(specs)) {"
          + "  if (s === 'text') out[k] = txt(e);"
          + "  else if (s.startsWith('@')) out[k] = e.getAttribute(s.substring(1)) || '';"
          + "  else out[k] = txt(e.querySelector(s.substring(4)));"
          + "}"
          + "return out;";

  private static final class Element implements UiElement {
    private final WebElement e;
    /**
     * Set for web content: text is read in one script call rather than two WebDriver commands, and
     * taps and typing go as input events (see {@link #tap}).
     */
    private final WebDriverUi web;
    private final org.openqa.selenium.JavascriptExecutor js;

    Element(WebElement e, WebDriverUi web) {
      this.e = e;
      this.web = web;
      this.js = web == null ? null : (org.openqa.selenium.JavascriptExecutor) web.driver;
    }

    /**
     * In web content, a press and release of the pointer at the element's centre (W3C actions):
     * the same trusted click a person makes, at a fifth of the cost of WebDriver's element click,
     * which adds its own checks and waits around it (about 95 ms of wall and 120 ms of CPU against
     * 20 of each, measured on the simulator). Those checks are kept in one script: in view, a box,
     * not covered; a covered element is not tapped through (the flow waits and looks again).
     */
    @Override
    public void tap() {
      if (web == null) {
        guard(e::click);
        return;
      }
      guard(() -> {
        Object why = js.executeScript(TAPPABLE, e);
        if (why != null) {
          throw new ElementGone("not tapped: " + why, null);
        }
        org.openqa.selenium.interactions.PointerInput finger =
            new org.openqa.selenium.interactions.PointerInput(org.openqa.selenium.interactions.PointerInput.Kind.MOUSE, "finger");
        org.openqa.selenium.interactions.Sequence press = new org.openqa.selenium.interactions.Sequence(finger, 0)
            .addAction(finger.createPointerMove(java.time.Duration.ZERO, org.openqa.selenium.interactions.PointerInput.Origin.fromElement(e), 0, 0))
            .addAction(finger.createPointerDown(org.openqa.selenium.interactions.PointerInput.MouseButton.LEFT.asArg()))
            .addAction(finger.createPointerUp(org.openqa.selenium.interactions.PointerInput.MouseButton.LEFT.asArg()));
        ((org.openqa.selenium.interactions.Interactive) web.driver).perform(List.of(press));
      });
    }

    /** In web content that can take it, the text is committed at once (see {@link WebDriverUi#commitText}). */
    @Override
    public void type(String text) {
      guard(() -> {
        if (web == null || !Boolean.TRUE.equals(js.executeScript(FOCUS_FIELD, e, false)) || !web.commitText(text)) {
          e.sendKeys(text);
        }
      });
    }

    /** In web content that can take it, select all and Backspace, as a person empties a field. */
    @Override
    public void clear() {
      guard(() -> {
        if (web == null || !Boolean.TRUE.equals(js.executeScript(FOCUS_FIELD, e, true)) || !web.pressBackspace()) {
          e.clear();
        }
      });
    }

    @Override
    public String text() {
      try {
        if (js != null) {
          return String.valueOf(js.executeScript(TEXT_OF, e));
        }
        String tag = e.getTagName();
        return tag.equals("input") || tag.equals("textarea") ? e.getDomProperty("value") : e.getText();
      } catch (StaleElementReferenceException stale) {
        throw new ElementGone("element was re-rendered", stale);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public java.util.Map<String, String> read(java.util.Map<String, String> specs) {
      try {
        if (js != null) {
          java.util.Map<String, Object> got = (java.util.Map<String, Object>) js.executeScript(FIELDS_OF, e, specs);
          java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
          specs.keySet().forEach(k -> out.put(k, got.get(k) == null ? "" : String.valueOf(got.get(k))));
          return out;
        }
        // A native app: one command per field, as the accessibility tree answers.
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (var f : specs.entrySet()) {
          String s = f.getValue();
          String v;
          if (s.equals("text")) {
            v = e.getText();
          } else if (s.startsWith("@")) {
            v = e.getAttribute(s.substring(1));
          } else {
            List<WebElement> child = e.findElements(By.cssSelector(s.substring(4)));
            v = child.isEmpty() ? "" : child.get(0).getText();
          }
          out.put(f.getKey(), v == null ? "" : v.trim());
        }
        return out;
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
      } catch (StaleElementReferenceException | ElementNotInteractableException | org.openqa.selenium.interactions.MoveTargetOutOfBoundsException ex) {
        throw new ElementGone(ex.getClass().getSimpleName(), ex);
      }
    }
  }
}
