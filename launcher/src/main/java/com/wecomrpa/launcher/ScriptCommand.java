package com.wecomrpa.launcher;

import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.DeviceDrivers;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.driver.appium.AppiumServer;
import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.script.Flow;
import com.wecomrpa.agent.flow.FlowInterpreter;
import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.script.ScriptError;
import com.wecomrpa.script.ScriptSet;
import com.wecomrpa.script.ScriptSetLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Working with script sets: check one offline, or try one action on one device. */
@Command(name = "script", mixinStandardHelpOptions = true, description = "Check a script set, or try one action on a device.",
    subcommands = {ScriptCommand.Check.class, ScriptCommand.Try.class})
final class ScriptCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "check", mixinStandardHelpOptions = true, description = "Validate a script set folder offline; prints file:line and the reason if it is broken.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "a script set folder, e.g. scripts/wecom-sim")
    Path dir;

    @Override
    public Integer call() {
      try {
        ScriptSet set = ScriptSetLoader.load(dir);
        System.out.printf("%s: script set %s %s, supports %s: %d flows (%s), %d locators: OK%n", dir, set.client(), set.version(),
            set.supportedClientVersions(), set.flows().size(), String.join(", ", set.flows().keySet()), set.locators().size());
        if (set.tried() != null) {
          System.out.println("tried: " + set.tried());
        }
        return 0;
      } catch (ScriptError e) {
        System.err.println(dir + "/" + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "try", mixinStandardHelpOptions = true, description = "Log a device in and run one action on it, showing each failure with its step and a screenshot.")
  static final class Try implements Callable<Integer> {
    @Parameters(paramLabel = "ACTION", description = "e.g. send_group_text")
    String action;

    @Option(names = "--device", required = true, description = "id=dev-1,account=acc-1,url=http://127.0.0.1:8090[,driver=appium]")
    String device;

    @Option(names = "--param", description = "a flow param, name=value (repeat)")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--scripts", defaultValue = "scripts")
    Path scripts;

    @Option(names = "--work", defaultValue = "data/script-try")
    Path work;

    @Override
    public Integer call() throws IOException {
      // Ctrl-C at any moment: the browser, chromedriver and an Appium server started here go too.
      Teardown.guardingChildren(work);
      DeviceProfile d = DeviceProfile.parse(device);
      ScriptSet set = ScriptSetLoader.load(scripts.resolve(d.clientKind()));
      Flow flow = set.flow(action).orElseThrow(() -> new IllegalArgumentException("script set " + set.version() + " has no flow " + action + "; it has " + set.flows().keySet()));
      ChromiumPaths chromium = ChromiumPaths.debianDefaults();
      AppiumServer appium = d.driver().equals("appium") ? AppiumServer.start(Path.of(".tools"), 4723, work.resolve("appium.log")) : null;
      FlowInterpreter interpreter = new FlowInterpreter(set);
      try (UiDriver ui = new DeviceDrivers(chromium, work, appium == null ? null : appium.url()).start(d)) {
        FlowResult login = interpreter.run(set.flow(com.wecomrpa.protocol.ActionName.LOGIN).orElseThrow(),
            Map.of("client_url", String.valueOf(d.clientUrl()), "account_id", d.accountId()), ui);
        FlowResult r = login.outcome() == com.wecomrpa.protocol.Outcome.SUCCEEDED ? interpreter.run(flow, params, ui) : login;
        System.out.printf("%s on %s: %s%s%n", action, d.id(), r.outcome(), r.error() == null ? "" : " at step " + r.failedStep() + ": " + r.error());
        // What the flow read (read-text, read-list), for the person debugging it.
        r.values().forEach((k, v) -> {
          if (!params.containsKey(k) && !k.equals("client_url") && !k.equals("account_id")) {
            System.out.println(k + ":\n  " + v.replace("\n", "\n  "));
          }
        });
        if (r.screenshot() != null) {
          Files.createDirectories(work);
          Path shot = work.resolve(action + ".png");
          Files.write(shot, r.screenshot());
          System.out.println("screenshot: " + shot);
        }
        return r.outcome() == com.wecomrpa.protocol.Outcome.SUCCEEDED ? 0 : 1;
      } finally {
        if (appium != null) {
          appium.close();
        }
      }
    }
  }
}
