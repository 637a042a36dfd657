package com.wecomrpa.agent.flow;

import com.wecomrpa.agent.driver.ElementGone;
import com.wecomrpa.script.Flow;
import com.wecomrpa.script.Locator;
import com.wecomrpa.script.ScriptSet;
import com.wecomrpa.script.ScriptSetLoader;
import com.wecomrpa.script.Step;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.driver.UiElement;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Runs a flow's steps against a {@link UiDriver}. A failure before the committing step is a plain
 * FAILED (nothing left the device); at or after it, UNKNOWN (the message may be out), so the
 * controller never blindly retries something that may have been sent.
 */
public final class FlowInterpreter {
  /** Told after each step, on the device's thread, while the driver is free: a watched screen is taken then. */
  public interface StepWatcher {
    StepWatcher NONE = (action, step, driver) -> {};

    void stepped(String action, String step, UiDriver driver);
  }

  private final ScriptSet scripts;
  private final StepTimes times;
  private final StepWatcher watcher;

  public FlowInterpreter(ScriptSet scripts) {
    this(scripts, new StepTimes());
  }

  /** Adds each step's time to {@code times}. */
  public FlowInterpreter(ScriptSet scripts, StepTimes times) {
    this(scripts, times, StepWatcher.NONE);
  }

  public FlowInterpreter(ScriptSet scripts, StepTimes times, StepWatcher watcher) {
    this.scripts = scripts;
    this.times = times;
    this.watcher = watcher;
  }

  public ScriptSet scripts() {
    return scripts;
  }

  /** The variable a flow reads the client's refusal note into before it signals content-refused. */
  static final String REFUSAL_NOTE = "refusal_note";

  /** Runs one flow with the job's params. Never throws for a UI problem: it reports it. */
  public FlowResult run(Flow flow, Map<String, String> params, UiDriver driver) {
    Map<String, String> vars = new HashMap<>(params);
    for (String p : flow.params()) {
      if (!vars.containsKey(p)) {
        return new FlowResult(Outcome.FAILED, null, "job is missing param " + p + " needed by " + flow.action(), null, vars);
      }
    }
    Run run = new Run(driver, vars, flow.action());
    try {
      run.steps(flow.steps());
      return new FlowResult(Outcome.SUCCEEDED, null, null, run.lastScreenshot, vars);
    } catch (RiskSeen risk) {
      Outcome o = run.committed && !risk.unsent ? Outcome.UNKNOWN : Outcome.FAILED;
      String what = AgentJobReport.TARGET_MISSING.equals(risk.signal) ? "target not found"
          : AgentJobReport.TARGET_GONE.equals(risk.signal) ? "nothing to do: no longer there (" + run.current + ")"
          : AgentJobReport.CONTENT_REFUSED.equals(risk.signal) ? "the platform refused the content" + (vars.get(REFUSAL_NOTE) == null ? "" : ": " + vars.get(REFUSAL_NOTE))
          : "risk state on screen: " + risk.signal;
      return new FlowResult(o, run.current, what, safeScreenshot(driver), vars, risk.signal, risk.unsent);
    } catch (RuntimeException e) {
      byte[] shot = safeScreenshot(driver);
      String error = e instanceof StepFailed ? e.getMessage() : e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
      return new FlowResult(run.committed ? Outcome.UNKNOWN : Outcome.FAILED, run.current, error, shot, vars);
    }
  }

  private final class Run {
    final UiDriver driver;
    final Map<String, String> vars;
    final String action;
    /** Nesting of the step running (if-present runs its then-steps inside itself). */
    int depth;
    boolean committed;
    String current;
    byte[] lastScreenshot;

    Run(UiDriver driver, Map<String, String> vars, String action) {
      this.driver = driver;
      this.vars = vars;
      this.action = action;
    }

    void steps(List<Step> steps) {
      for (Step s : steps) {
        current = s.name();
        if (s.commits()) {
          // Set before acting: a failure inside the send itself may already have sent.
          committed = true;
        }
        long t0 = System.nanoTime();
        depth++;
        try {
          step(s);
        } finally {
          depth--;
        }
        // Nested steps are named under their parent, whose time already holds theirs.
        times.record(action, depth == 0 ? s.name() : "  " + s.name(), System.nanoTime() - t0);
        watcher.stepped(action, s.name(), driver);
      }
    }

    void step(Step s) {
      switch (s.kind()) {
        case OPEN -> driver.open(fill(s.text(), Locator.Strategy.TEXT));
        case TAP -> act(s, UiElement::tap);
        case TYPE ->
            act(
                s,
                e -> {
                  if (s.clearFirst()) {
                    e.clear();
                  }
                  e.type(fill(s.text(), Locator.Strategy.TEXT));
                });
        case CLEAR -> act(s, UiElement::clear);
        case WAIT_FOR -> waitFor(s, s.timeout());
        case ASSERT_VISIBLE -> waitFor(s, Duration.ofMillis(1));
        case READ_TEXT -> vars.put(s.into(), waitFor(s, s.timeout()).text());
        case IF_PRESENT -> {
          if (driver.findVisible(locators(s.target())).isPresent()) {
            steps(s.then());
          }
        }
        case IF_ABSENT -> {
          if (!appears(s.target(), s.timeout())) {
            steps(s.then());
          }
        }
        case SCREENSHOT -> lastScreenshot = driver.screenshot();
        case BACK -> driver.back();
        case SCROLL_UNTIL -> scrollUntil(s);
        case READ_LIST -> vars.put(s.into(), readList(s));
        case SIGNAL -> throw new RiskSeen(s.text(), s.unsent());
      }
    }

    void scrollUntil(Step s) {
      List<Locator> ls = locators(s.target());
      Poll poll = new Poll();
      for (int i = 0; i < s.scrolls(); i++) {
        if (driver.findVisible(ls).isPresent()) {
          return;
        }
        driver.scroll(s.direction());
        poll.pause();
      }
      waitFor(s, s.timeout());
    }

    /**
     * The texts of the last N visible matches, oldest first, one per line; with fields, a JSON array
     * of one object per match.
     */
    String readList(Step s) {
      waitFor(s, s.timeout());
      List<Object> read = new ArrayList<>();
      for (UiElement e : driver.findAllVisible(locators(s.target()))) {
        try {
          read.add(s.fields().isEmpty() ? e.text().replace('\n', ' ') : e.read(s.fields()));
        } catch (ElementGone ignored) {
          // re-rendered while reading: the rest still count
        }
      }
      if (s.last() != null) {
        String n = fill(s.last(), Locator.Strategy.TEXT).trim();
        if (!n.matches("[1-9][0-9]{0,3}")) {
          throw new StepFailed(s.name() + ": last must be a count from 1 to 9999, was '" + n + "'");
        }
        int keep = Integer.parseInt(n);
        read = read.subList(Math.max(0, read.size() - keep), read.size());
      }
      if (!s.fields().isEmpty()) {
        try {
          return com.wecomrpa.protocol.WireCodec.mapper().writeValueAsString(read);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new StepFailed(s.name() + ": cannot write what was read: " + e.getOriginalMessage());
        }
      }
      return String.join("\n", read.stream().map(String::valueOf).toList());
    }

    /** Finds the target and acts on it, finding it again if it was re-rendered meanwhile. */
    void act(Step s, java.util.function.Consumer<UiElement> action) {
      long deadline = System.nanoTime() + s.timeout().toNanos();
      Poll poll = new Poll();
      while (true) {
        UiElement e = waitFor(s, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        try {
          action.accept(e);
          return;
        } catch (ElementGone gone) {
          if (System.nanoTime() > deadline) {
            throw new StepFailed(s.name() + ": " + s.target() + " kept changing: " + firstLine(gone.getMessage()));
          }
          poll.pause();
        }
      }
    }

    /** Whether the target shows within {@code timeout}; looks at least once. */
    boolean appears(String target, Duration timeout) {
      List<Locator> ls = locators(target);
      long deadline = System.nanoTime() + timeout.toNanos();
      Poll poll = new Poll();
      while (true) {
        if (driver.findVisible(ls).isPresent()) {
          return true;
        }
        if (System.nanoTime() > deadline) {
          return false;
        }
        poll.pause();
      }
    }

    UiElement waitFor(Step s, Duration timeout) {
      List<Locator> ls = locators(s.target());
      String expected = s.text() == null || s.kind() == Step.Kind.TYPE ? null : fill(s.text(), Locator.Strategy.TEXT);
      long deadline = System.nanoTime() + timeout.toNanos();
      Poll poll = new Poll();
      String seen = null;
      while (true) {
        Optional<UiElement> found = driver.findVisible(ls);
        if (found.isPresent()) {
          try {
            if (expected == null) {
              return found.get();
            }
            seen = found.get().text();
            if (expected.equals(seen)) {
              return found.get();
            }
          } catch (ElementGone ignored) {
            // re-rendered between find and read: look again
          }
        }
        if (System.nanoTime() > deadline) {
          throw new StepFailed(
              s.name() + ": " + s.target() + (found.isPresent() && expected != null
                  ? " shows '" + seen + "', expected '" + expected + "'"
                  : " not visible") + " after " + timeout.toMillis() + "ms");
        }
        poll.pause();
      }
    }

    List<Locator> locators(String target) {
      List<Locator> out = new ArrayList<>();
      for (Locator l : scripts.locators().get(target)) {
        out.add(new Locator(l.strategy(), fill(l.value(), l.strategy())));
      }
      return out;
    }

    /**
     * Fills variables: escaped inside a CSS string, and in XPath as a whole string literal (the
     * locator writes {@code .=${text}}, no quotes), so any text can be matched safely.
     */
    String fill(String template, Locator.Strategy strategy) {
      Matcher m = ScriptSetLoader.VARIABLE.matcher(template);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String v = vars.getOrDefault(m.group(1), "");
        if (strategy == Locator.Strategy.CSS) {
          v = v.replace("\\", "\\\\").replace("\"", "\\\"").replace("'", "\\'");
        } else if (strategy == Locator.Strategy.XPATH) {
          v = Locator.xpathLiteral(v);
        }
        m.appendReplacement(sb, Matcher.quoteReplacement(v));
      }
      m.appendTail(sb);
      return sb.toString();
    }
  }

  private static byte[] safeScreenshot(UiDriver driver) {
    try {
      return driver.screenshot();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
