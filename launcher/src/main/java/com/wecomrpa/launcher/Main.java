package com.wecomrpa.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wecom-rpa} command: one entry point for every part of the product. */
@Command(
    name = "wecom-rpa",
    mixinStandardHelpOptions = true,
    version = "wecom-rpa 0.1.0",
    description = "RPA agent and control plane for WeCom/WeChat bot accounts.",
    subcommands = {DemoCommand.class, ControllerCommand.class, AgentCommand.class, SimulatorCommand.class, ScriptCommand.class, ImportCommand.class,
        com.wecomrpa.bench.BenchCommand.class})
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    int code =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
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
