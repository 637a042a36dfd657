package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A command's options from a config file: what the command line says wins; secrets and unknown names are refused by line. */
class ConfigFileTest {
  @TempDir Path dir;

  @Test
  void theFileGivesWhatTheCommandLineDoesNotAndRepeatsARepeatableOption() throws Exception {
    Path conf = Files.writeString(dir.resolve("agent.conf"), """
        # the farm's second rack
        controller = ws://127.0.0.1:8080/agent
        agent-id = rack-2
        device = id=dev-1,account=acc-1,url=http://127.0.0.1:8090
        device = id=dev-2,account=acc-2,url=http://127.0.0.1:8090
        """);
    ConfigFile.Split split = ConfigFile.split(new String[] {"agent", "--config", conf.toString(), "--agent-id=rack-9"});
    assertThat(split.file()).isEqualTo(conf);
    String[] args = ConfigFile.merge(split.file(), new CommandLine(new Main()), split.args());

    assertThat(args).containsExactly("agent", "--controller=ws://127.0.0.1:8080/agent",
        "--device=id=dev-1,account=acc-1,url=http://127.0.0.1:8090", "--device=id=dev-2,account=acc-2,url=http://127.0.0.1:8090", "--agent-id=rack-9");
    var parsed = new CommandLine(new Main()).parseArgs(args);
    assertThat(parsed.subcommand().matchedOption("--agent-id").<String>getValue()).as("the command line wins").isEqualTo("rack-9");
  }

  @Test
  void aSecretOrANameTheCommandDoesNotTakeIsRefusedWithItsLine() throws Exception {
    Path secret = Files.writeString(dir.resolve("c.conf"), "port = 8080\nagent-token = abc\n");
    assertThatThrownBy(() -> ConfigFile.merge(secret, new CommandLine(new Main()), new String[] {"controller"}))
        .hasMessageContaining("line 2").hasMessageContaining("agent-token is a secret");
    Path unknown = Files.writeString(dir.resolve("d.conf"), "port = 8080\n\nprot = 9090\n");
    assertThatThrownBy(() -> ConfigFile.merge(unknown, new CommandLine(new Main()), new String[] {"controller"}))
        .hasMessageContaining("line 3").hasMessageContaining("controller has no option --prot");
    Path bad = Files.writeString(dir.resolve("e.conf"), "port 8080\n");
    assertThatThrownBy(() -> ConfigFile.merge(bad, new CommandLine(new Main()), new String[] {"controller"}))
        .hasMessageContaining("line 1").hasMessageContaining("is not name = value");
  }
}
