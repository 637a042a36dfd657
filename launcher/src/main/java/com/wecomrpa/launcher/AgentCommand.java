package com.wecomrpa.launcher;

import com.wecomrpa.agent.Agent;
import com.wecomrpa.agent.AgentOptions;
import com.wecomrpa.agent.DeviceProfile;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.agent.driver.selenium.SeleniumDriver;
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
  @Option(names = "--controller", defaultValue = "ws://127.0.0.1:8080/agent", description = "controller gateway URL (default ${DEFAULT-VALUE})")
  String controller;

  @Option(names = "--token", description = "agent token; default $WECOM_RPA_AGENT_TOKEN")
  String token;

  @Option(names = "--agent-id", defaultValue = "agent-1")
  String agentId;

  @Option(names = "--device", required = true, description = "id=dev-1,account=acc-1,url=http://127.0.0.1:8090 (repeat per device)")
  List<String> devices;

  @Option(names = "--scripts", defaultValue = "scripts", description = "script sets folder (default ./${DEFAULT-VALUE})")
  Path scripts;

  @Option(names = "--work", defaultValue = "data/agent", description = "folder for browser profiles (default ./${DEFAULT-VALUE})")
  Path work;

  @Override
  public Integer call() {
    String t = token != null ? token : System.getenv("WECOM_RPA_AGENT_TOKEN");
    AgentOptions options = new AgentOptions(agentId, controller, t, devices.stream().map(DeviceProfile::parse).toList(), scripts, work);
    ChromiumPaths chromium = ChromiumPaths.debianDefaults();
    if (chromium.missing() != null) {
      System.err.println(chromium.missing());
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    Agent agent = new Agent(vertx, options, d -> SeleniumDriver.start(chromium, work.resolve(d.id())), Clock.systemUTC());
    Processes.await(agent.start(), Duration.ofMinutes(2));
    System.setProperty("wecom-rpa.keep-running", "true");
    Processes.runUntilStopped(
        () -> {
          Processes.await(agent.stop(), Duration.ofSeconds(60));
          Processes.await(vertx.close(), Duration.ofSeconds(30));
        });
    return 0;
  }
}
