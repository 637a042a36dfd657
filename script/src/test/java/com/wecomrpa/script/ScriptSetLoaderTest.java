package com.wecomrpa.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptSetLoaderTest {
  static final String HEAD = "client: wecom-sim\nversion: \"1\"\nsupports: [\"sim-1\"]\n";
  static final String LOCATORS = "send_button:\n  - css: \"#send\"\ncomposer:\n  - css: \"#composer\"\n";

  static Map<String, String> set(String flow) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("script-set.yaml", HEAD);
    files.put("locators.yaml", LOCATORS);
    files.put("flows/send.yaml", flow);
    return files;
  }

  @Test
  void theShippedSimulatorScriptsLoad() {
    ScriptSet set = ScriptSetLoader.load(Path.of("..", "scripts", "wecom-sim"));

    assertThat(set.client()).isEqualTo("wecom-sim");
    assertThat(set.flows()).containsKeys("login", "send_group_text");
    assertThat(set.flow("send_group_text").orElseThrow().steps()).anyMatch(Step::commits);
    assertThat(set.supports("sim-1")).isTrue();
    assertThat(set.supports("sim-2")).isFalse();
  }

  @Test
  void aStepNamingAnUnknownLocatorIsRefusedWithItsLine() {
    String flow = "action: send\nparams: [text]\nsteps:\n  - name: type\n    type: composer\n    text: \"${text}\"\n  - name: press\n    tap: send_buton\n";

    assertThatThrownBy(() -> ScriptSetLoader.parse(set(flow)))
        .isInstanceOf(ScriptError.class)
        .hasMessage("flows/send.yaml:8: unknown locator 'send_buton' (not in locators.yaml)");
  }

  @Test
  void anUndefinedVariableIsRefusedWithItsLine() {
    String flow = "action: send\nparams: [text]\nsteps:\n  - type: composer\n    text: \"${txt}\"\n";

    assertThatThrownBy(() -> ScriptSetLoader.parse(set(flow)))
        .isInstanceOf(ScriptError.class)
        .hasMessageContaining("flows/send.yaml:4:")
        .hasMessageContaining("${txt}");
  }

  @Test
  void brokenYamlIsRefusedWithItsLine() {
    String flow = "action: send\nsteps:\n  - tap: composer\n   - tap: send_button\n";

    assertThatThrownBy(() -> ScriptSetLoader.parse(set(flow)))
        .isInstanceOf(ScriptError.class)
        .satisfies(e -> assertThat(((ScriptError) e).line()).isEqualTo(4))
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void unknownKeysBadTimeoutsAndTwoActionsInOneStepAreRefused() {
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - tap: composer\n    colour: red\n")))
        .hasMessage("flows/send.yaml:4: unknown step key 'colour'");
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - wait-for: composer\n    timeout: soon\n")))
        .hasMessage("flows/send.yaml:4: timeout 'soon' must look like 500ms or 5s");
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - tap: composer\n    wait-for: send_button\n")))
        .hasMessageContaining("flows/send.yaml:4: a step does one thing");
  }

  @Test
  void anUnknownLocatorStrategyIsRefusedWithItsLine() {
    Map<String, String> files = set("action: send\nsteps:\n  - tap: composer\n");
    files.put("locators.yaml", LOCATORS + "other:\n  - css: \"#a\"\n  - resource: \"b\"\n");

    assertThatThrownBy(() -> ScriptSetLoader.parse(files)).hasMessageStartingWith("locators.yaml:7: unknown locator strategy 'resource'");
  }

  @Test
  void scrollAndReadOptionsAreCheckedWhereTheyAreWritten() {
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - scroll-until: composer\n    direction: sideways\n")))
        .hasMessage("flows/send.yaml:4: direction must be up or down, found 'sideways'");
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - tap: composer\n    scrolls: 3\n")))
        .hasMessage("flows/send.yaml:4: direction and scrolls belong to scroll-until");
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - read-list: composer\n    into: all\n    last: many\n")))
        .hasMessage("flows/send.yaml:5: last must be a count from 1 to 9999 or a ${variable}, found 'many'");
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - back: composer\n")))
        .hasMessage("flows/send.yaml:3: back takes no value; write '- back:'");

    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - read-list: composer\n    into: rows\n    fields:\n      id: msg-id\n")))
        .hasMessage("flows/send.yaml:6: field id must be text, @attribute or css:SELECTOR, found 'msg-id'");
    assertThatThrownBy(() -> ScriptSetLoader.parse(set("action: send\nsteps:\n  - tap: composer\n    fields:\n      id: \"@data-id\"\n")))
        .hasMessage("flows/send.yaml:5: fields belong to read-list");

    ScriptSet ok = ScriptSetLoader.parse(set("action: send\nparams: [n]\nsteps:\n  - back:\n  - scroll-until: send_button\n    direction: up\n    scrolls: 4\n"
        + "  - read-list: composer\n    into: texts\n    last: \"${n}\"\n"));
    Step scroll = ok.flow("send").orElseThrow().steps().get(1);
    assertThat(scroll.direction()).isEqualTo(Step.Direction.UP);
    assertThat(scroll.scrolls()).isEqualTo(4);
  }

  @Test
  void theShippedAndroidSetsLoadNameTheirAppVersionsAndSayTheyHaveNotRunOnAPhone() {
    for (String kind : new String[] {"wecom-android", "wechat-android"}) {
      ScriptSet set = ScriptSetLoader.load(Path.of("..", "scripts", kind));

      assertThat(set.client()).isEqualTo(kind);
      assertThat(set.flows()).containsKeys("login", "prepare", "health_check", "detect_risk", "send_group_text", "verify_send_group_text",
          "send_private_text", "read_messages");
      assertThat(set.supports("sim-1")).isFalse();
      assertThat(set.tried()).startsWith("never on a phone");
      // Locators a phone understands: no CSS.
      assertThat(set.locators().values()).allSatisfy(ways -> assertThat(ways).noneMatch(l -> l.strategy() == Locator.Strategy.CSS));
    }
  }
}
