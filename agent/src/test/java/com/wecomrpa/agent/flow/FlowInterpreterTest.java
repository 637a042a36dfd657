package com.wecomrpa.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.agent.driver.ElementGone;
import com.wecomrpa.script.Flow;
import com.wecomrpa.script.Locator;
import com.wecomrpa.script.ScriptSet;
import com.wecomrpa.script.ScriptSetLoader;
import com.wecomrpa.script.Step;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.driver.UiElement;
import com.wecomrpa.protocol.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The interpreter's own rules, against a scripted screen (the only place a fake driver is used). */
class FlowInterpreterTest {
  static final String FLOW =
      "action: send\nparams: [text]\nsteps:\n"
          + "  - name: type-message\n    type: composer\n    text: \"${text}\"\n    timeout: 300ms\n"
          + "  - name: press-send\n    tap: send_button\n    commits: true\n    timeout: 300ms\n"
          + "  - name: bubble-confirmed\n    wait-for: bubble\n    text: \"${text}\"\n    timeout: 300ms\n";
  static final String LOCATORS =
      "composer:\n  - css: \"#composer\"\nsend_button:\n  - css: \"#missing-send\"\n  - css: \"#send\"\nbubble:\n  - css: \".bubble\"\n";

  /** A screen of named elements; tapping send makes a bubble with what was typed. */
  static final class Screen implements UiDriver {
    final Set<String> visible = new HashSet<>(List.of("#composer", "#send"));
    final Map<String, String> texts = new HashMap<>();
    final List<String> log = new ArrayList<>();
    boolean sendDoesNothing;
    int goneOnFirstTaps;

    @Override
    public void open(String url) {}

    @Override
    public Optional<UiElement> findVisible(List<Locator> candidates) {
      for (Locator l : candidates) {
        if (visible.contains(l.value())) {
          return Optional.of(element(l.value()));
        }
      }
      return Optional.empty();
    }

    UiElement element(String css) {
      return new UiElement() {
        @Override
        public void tap() {
          if (goneOnFirstTaps > 0) {
            goneOnFirstTaps--;
            throw new ElementGone("re-rendered", null);
          }
          log.add("tap " + css);
          if (css.equals("#send") && !sendDoesNothing) {
            visible.add(".bubble");
            texts.put(".bubble", texts.get("#composer"));
          }
        }

        @Override
        public void type(String text) {
          log.add("type " + css + " " + text);
          texts.merge(css, text, String::concat);
        }

        @Override
        public void clear() {
          texts.remove(css);
        }

        @Override
        public String text() {
          return texts.getOrDefault(css, "");
        }

        @Override
        public java.util.Map<String, String> read(java.util.Map<String, String> specs) {
          java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
          specs.forEach((k, spec) -> out.put(k, spec.equals("text") ? text() : texts.getOrDefault(css + spec, "")));
          return out;
        }

        @Override
        public boolean visible() {
          return true;
        }
      };
    }

    /** Elements below the fold, revealed one per scroll down. */
    final List<String> belowFold = new ArrayList<>();
    /** Message bubbles in the chat, oldest first. */
    final List<String> bubbles = new ArrayList<>();

    @Override
    public List<UiElement> findAllVisible(List<Locator> candidates) {
      if (candidates.stream().anyMatch(l -> l.value().equals(".message"))) {
        List<UiElement> out = new ArrayList<>();
        for (String b : bubbles) {
          texts.put(".message#" + out.size(), b);
          out.add(element(".message#" + out.size()));
        }
        return out;
      }
      return findVisible(candidates).stream().toList();
    }

    @Override
    public void back() {
      log.add("back");
    }

    @Override
    public void scroll(Step.Direction direction) {
      log.add("scroll " + direction);
      if (direction == Step.Direction.DOWN && !belowFold.isEmpty()) {
        visible.add(belowFold.remove(0));
      }
    }

    @Override
    public byte[] screenshot() {
      return new byte[] {1, 2, 3};
    }

    @Override
    public boolean alive() {
      return true;
    }

    @Override
    public void close() {}
  }

  static final String HEAD = "client: wecom-sim\nversion: \"1\"\nsupports: [\"sim-1\"]\n";

  final ScriptSet scripts =
      ScriptSetLoader.parse(Map.of("script-set.yaml", HEAD, "locators.yaml", LOCATORS, "flows/send.yaml", FLOW));
  final FlowInterpreter interpreter = new FlowInterpreter(scripts);
  final Flow send = scripts.flow("send").orElseThrow();

  @Test
  void aConfirmedBubbleSucceedsUsingTheFirstLocatorThatMatches() {
    Screen screen = new Screen();

    FlowResult r = interpreter.run(send, Map.of("text", "早安"), screen);

    assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(screen.log).containsExactly("type #composer 早安", "tap #send");
  }

  @Test
  void aFailureBeforeTheCommittingStepIsAPlainFailureWithStepAndScreenshot() {
    Screen screen = new Screen();
    screen.visible.remove("#composer");

    FlowResult r = interpreter.run(send, Map.of("text", "hi"), screen);

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.failedStep()).isEqualTo("type-message");
    assertThat(r.error()).contains("composer not visible");
    assertThat(r.screenshot()).isNotEmpty();
    assertThat(screen.log).isEmpty();
  }

  @Test
  void aFailureAfterPressingSendIsUnknownBecauseTheMessageMayBeOut() {
    Screen screen = new Screen();
    screen.sendDoesNothing = true;

    FlowResult r = interpreter.run(send, Map.of("text", "hi"), screen);

    assertThat(r.outcome()).isEqualTo(Outcome.UNKNOWN);
    assertThat(r.failedStep()).isEqualTo("bubble-confirmed");
  }

  @Test
  void anElementReRenderedUnderATapIsFoundAgain() {
    Screen screen = new Screen();
    screen.goneOnFirstTaps = 2;

    assertThat(interpreter.run(send, Map.of("text", "hi"), screen).outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void aJobMissingAParamFailsWithoutTouchingTheScreen() {
    Screen screen = new Screen();

    FlowResult r = interpreter.run(send, Map.of(), screen);

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.error()).contains("missing param text");
    assertThat(screen.log).isEmpty();
  }

  static final String BROWSE =
      "action: browse\nparams: [count]\nsteps:\n"
          + "  - back:\n"
          + "  - name: find-group\n    scroll-until: far_group\n    scrolls: 3\n    timeout: 100ms\n"
          + "  - name: read-history\n    read-list: message\n    into: history\n    last: \"${count}\"\n";

  final ScriptSet browsing =
      ScriptSetLoader.parse(Map.of("script-set.yaml", HEAD, "locators.yaml", "far_group:\n  - css: \"#far\"\nmessage:\n  - css: \".message\"\n",
          "flows/browse.yaml", BROWSE));

  @Test
  void scrollUntilScrollsOnlyAsFarAsTheTargetAndReadListKeepsTheLastN() {
    Screen screen = new Screen();
    screen.belowFold.addAll(List.of("#near", "#far", "#beyond"));
    screen.visible.add(".message");
    screen.bubbles.addAll(List.of("一", "二", "三", "四"));

    FlowResult r = new FlowInterpreter(browsing).run(browsing.flow("browse").orElseThrow(), Map.of("count", "3"), screen);

    assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(screen.log).containsExactly("back", "scroll DOWN", "scroll DOWN");
    assertThat(r.values().get("history")).isEqualTo("二\n三\n四");
  }

  @Test
  void readListWithFieldsGivesOneJsonObjectPerRowForTheLastN() throws Exception {
    ScriptSet rows = ScriptSetLoader.parse(Map.of("script-set.yaml", HEAD, "locators.yaml", "message:\n  - css: \".message\"\n",
        "flows/read.yaml", "action: read\nsteps:\n  - name: read-rows\n    read-list: message\n    into: rows\n    last: 2\n"
            + "    fields:\n      text: text\n      id: \"@data-msg-id\"\n"));
    Screen screen = new Screen();
    screen.visible.add(".message");
    screen.bubbles.addAll(List.of("一", "二", "三"));
    screen.texts.put(".message#1@data-msg-id", "m-2");
    screen.texts.put(".message#2@data-msg-id", "m-3");

    FlowResult r = new FlowInterpreter(rows).run(rows.flow("read").orElseThrow(), Map.of(), screen);

    assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
    var read = com.wecomrpa.protocol.WireCodec.mapper().readTree(r.values().get("rows"));
    assertThat(read).hasSize(2);
    assertThat(read.get(0).get("text").asText()).isEqualTo("二");
    assertThat(read.get(0).get("id").asText()).isEqualTo("m-2");
    assertThat(read.get(1).get("id").asText()).isEqualTo("m-3");
  }

  @Test
  void scrollUntilGivesUpAfterItsScrollsAndNamesTheStep() {
    Screen screen = new Screen();
    screen.belowFold.addAll(List.of("#a", "#b", "#c", "#d", "#far"));

    FlowResult r = new FlowInterpreter(browsing).run(browsing.flow("browse").orElseThrow(), Map.of("count", "3"), screen);

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.failedStep()).isEqualTo("find-group");
    assertThat(screen.log).filteredOn(l -> l.startsWith("scroll")).hasSize(3);
  }
}
