package com.wecomrpa.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wecom-rpa} command: one entry point for every part of the product. */
@Command(
    name = "wecom-rpa",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "RPA agent and control plane for WeCom/WeChat bot accounts.",
    subcommands = {DemoCommand.class, ControllerCommand.class, AgentCommand.class, SimulatorCommand.class, ScriptCommand.class, ImportCommand.class, StoreCommands.Backup.class, StoreCommands.Restore.class,
        com.wecomrpa.bench.BenchCommand.class})
public final class Main implements Runnable {
  /** The version and the commit it was built from, as the build wrote them. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      com.wecomrpa.protocol.Release r = com.wecomrpa.protocol.Release.current();
      return new String[] {"wecom-rpa " + r.version() + " (commit " + (r.commit().isEmpty() ? "unknown" : r.commit()) + ", agent protocol "
          + com.wecomrpa.protocol.Release.PROTOCOL + ")"};
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] argv) {
    ConfigFile.Split split = ConfigFile.split(argv);
    String[] args = split.args();
    CommandLine cli = new CommandLine(new Main());
    if (split.file() != null) {
      try {
        args = ConfigFile.merge(split.file(), cli, args);
      } catch (IllegalArgumentException e) {
        System.err.println("wecom-rpa: " + e.getMessage());
        System.exit(2);
      }
    }
    int code =
        cli
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  // Stopped by a signal: the parts were closed under the command. Nothing to report;
                  // the stop ends the process with the signal's code.
                  if (Teardown.stopBegun()) {
                    Teardown.process().awaitStop();
                    Thread.sleep(Long.MAX_VALUE); // the teardown halts the JVM right after
                  }
                  // Configuration and script errors are the user's to fix: say what, not where in Java.
                  if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                      || e instanceof com.wecomrpa.script.ScriptError) {
                    System.err.println("wecom-rpa " + cmd.getCommandName() + ": " + e.getMessage());
                    return 2;
                  }
                  throw e;
                })
            .execute(args);
    if (code != 0 || !Boolean.getBoolean("wecom-rpa.keep-running")) {
      System.exit(code);
    }
  }
}
