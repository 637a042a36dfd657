package com.wecomrpa.launcher;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.agent.AgentOptions;
import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.DeviceDrivers;
import com.wecomrpa.agent.driver.appium.AppiumServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run an agent next to its devices.")
final class AgentCommand implements Callable<Integer> {
  @Option(names = "--controller", defaultValue = "ws://127.0.0.1:8080/agent", description = "controller gateway URL; several controllers of a cluster separated by commas (default ${DEFAULT-VALUE})")
  String controller;

  @Option(names = "--token", description = "agent token; default $WECOM_RPA_AGENT_TOKEN (prefer --token-file: a command line is visible to every user of the machine)")
  String token;

  @Option(names = "--token-file", description = "a file holding this agent's token, read again at every reconnect: write a new token into it to rotate without a restart")
  Path tokenFile;

  @Option(names = "--ca-file", description = "PEM CA certificate(s) that sign the controller's certificate, for wss:// (default: the system trust store)")
  Path caFile;

  @Option(names = "--agent-id", defaultValue = "agent-1",
      description = "This agent's name, unique per controller; the console and the jobs' attempts show it (default: ${DEFAULT-VALUE})")
  String agentId;

  @Option(names = "--device", required = true, description = "id=dev-1,account=acc-1,url=http://127.0.0.1:8090 (repeat per device)")
  List<String> devices;

  @Option(names = "--scripts", defaultValue = "scripts", description = "script sets folder (default ./${DEFAULT-VALUE})")
  Path scripts;

  @Option(names = "--work", defaultValue = "data/agent", description = "folder for browser profiles (default ./${DEFAULT-VALUE})")
  Path work;

  @Option(names = "--appium-url", description = "Appium server for devices with driver=appium (default: start one from .tools/)")
  java.net.URL appiumUrl;

  @Override
  public Integer call() {
    // Ctrl-C or SIGTERM at any moment, and a SIGKILL of this process, leave no browser behind.
    Teardown.guardingChildren(work);
    String t = token != null ? token : System.getenv("WECOM_RPA_AGENT_TOKEN");
    AgentOptions options = new AgentOptions(agentId, controller, t, devices.stream().map(DeviceProfile::parse).toList(), scripts, work, tokenFile, caFile);
    ChromiumPaths chromium = ChromiumPaths.debianDefaults();
    if (chromium.missing() != null) {
      System.err.println(chromium.missing());
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    boolean needsAppium = options.devices().stream().anyMatch(d -> d.driver().equals("appium"));
    AppiumServer local = needsAppium && appiumUrl == null ? AppiumServer.start(Path.of(".tools"), 4723, work.resolve("appium.log")) : null;
    java.net.URL appium = local != null ? local.url() : appiumUrl;
    Agent agent = new Agent(vertx, options, new DeviceDrivers(chromium, work, appium), Clock.systemUTC());
    Processes.await(agent.start(), Duration.ofMinutes(2));
    System.setProperty("wecom-rpa.keep-running", "true");
    Processes.runUntilStopped(
        () -> {
          Processes.await(agent.stop(), Duration.ofSeconds(60));
          if (local != null) {
            local.close();
          }
          Processes.await(vertx.close(), Duration.ofSeconds(30));
        });
    return 0;
  }
}
