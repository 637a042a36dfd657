package com.wecomrpa.launcher;

import com.wecomrpa.agent.driver.selenium.ChromiumPaths;
import com.wecomrpa.controller.limits.LimitProfile;
import com.wecomrpa.time.SimulatedClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything on one machine: simulator, controller and one agent with a headless Chromium per
 * account. {@code broadcast} sends one message to every group; {@code sop-day} runs a simulated
 * day of the example SOP plans. Both end with the summary line scripts read and a check against
 * the simulator's own record.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run controller + simulator + agent on one machine.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--scenario", defaultValue = "broadcast", description = "broadcast (one message to every group), sop-day (a simulated day of docs/examples), lifecycle (90 simulated days of docs/examples/lifecycle: orders move customers between stages, stage plans, channel codes, webhooks), conversation (customers talk for a simulated hour: listening, tags, auto-replies, late replies), groups (two simulated hours of group operations: group codes by location, invitations, joins welcomed, pools rolling over, a spammer removed and blacklisted, friend requests accepted), handover (a 1:1 launch to a customer tag under a cadence while a broadcast reaches every group; one account is restricted mid-way and its groups and customers handed to two others, some customers refusing), risk (one account meets a tight platform risk model) or crash (controller, simulator and agent as separate processes, killed with SIGKILL mid-broadcast and restarted)")
  String scenario;

  @Option(names = "--accounts", defaultValue = "3", description = "bot accounts, one device each (default ${DEFAULT-VALUE})")
  int accounts;

  @Option(names = "--groups", defaultValue = "-1", description = "groups in all, spread over the accounts (default: 200 per account for broadcast, 5 for sop-day)")
  int groups;

  @Option(names = "--speed", defaultValue = "-1", description = "business time runs this many times faster than real time (sop-day and lifecycle default 1440: a day per minute; lifecycle skips the hours with nothing due; conversation and groups 60)")
  double speed;

  @Option(names = "--driver", defaultValue = "selenium", description = "how devices are driven: selenium (chromedriver) or appium (through a local Appium server)")
  String driver;

  @Option(names = "--cluster", defaultValue = "0", description = "run the broadcast over this many controller processes sharing one PostgreSQL (a private server on loopback unless --db is given)")
  int cluster;

  @Option(names = "--kill-one", description = "with --cluster: SIGKILL the node leading the sweeps when half the groups are done")
  boolean killOne;

  @Option(names = "--db", description = "with --cluster: a PostgreSQL to share, jdbc:postgresql://HOST:PORT/DB (user and password from $WECOM_RPA_DB_USER and $WECOM_RPA_DB_PASSWORD)")
  String db;

  @Option(names = "--tls", description = "serve the controller over https and wss with a certificate made at start for 127.0.0.1; the agent verifies it and signs in with its own token file")
  boolean tls;

  @Option(names = "--exit-when-done", description = "exit after the summary: 0 only if nothing failed and the simulator's record checks out")
  boolean exitWhenDone;

  @Option(names = "--data", defaultValue = "data/demo", description = "data folder, emptied at start (default ./${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--scripts", defaultValue = "scripts", description = "script sets folder (default ./${DEFAULT-VALUE})")
  Path scripts;

  @Option(names = "--examples", defaultValue = "docs/examples", description = "plans for sop-day (default ./${DEFAULT-VALUE})")
  Path examples;

  @Override
  public Integer call() throws IOException {
    // Ctrl-C or SIGTERM at any moment from here on stops everything this demo starts.
    Teardown.guardingChildren(data);
    boolean sopDay = scenario.equals("sop-day");
    boolean risk = scenario.equals("risk");
    boolean crash = scenario.equals("crash");
    boolean conversation = scenario.equals("conversation");
    boolean lifecycle = scenario.equals("lifecycle");
    boolean groupOps = scenario.equals("groups");
    boolean handover = scenario.equals("handover");
    if (!sopDay && !risk && !crash && !conversation && !lifecycle && !groupOps && !handover && !scenario.equals("broadcast")) {
      System.err.println("--scenario must be broadcast, sop-day, conversation, lifecycle, groups, handover, risk or crash");
      return 2;
    }
    int groupCount = groups >= 0 ? groups : accounts * (sopDay || conversation ? 5 : lifecycle ? 1 : risk ? 10 : crash ? 70 : groupOps ? GroupsScenario.groupsPerAccount()
        : handover ? HandoverScenario.groupsPerAccount() : 200);
    if (handover && accounts < 3) {
      System.err.println("--scenario handover needs --accounts 3 or more (one leaves, two take over)");
      return 2;
    }
    if (groupOps && groupCount != accounts * GroupsScenario.groupsPerAccount()) {
      System.err.println("--scenario groups runs " + GroupsScenario.groupsPerAccount() + " groups per account: leave out --groups");
      return 2;
    }
    Fleet fleet;
    try {
      fleet = Fleet.of(accounts, groupCount);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    if (!driver.equals("selenium") && !driver.equals("appium")) {
      System.err.println("--driver must be selenium or appium");
      return 2;
    }
    double businessSpeed = speed > 0 ? speed : (sopDay || lifecycle ? 1440 : conversation || groupOps ? 60 : 1);
    ChromiumPaths chromium = ChromiumPaths.debianDefaults();
    if (chromium.missing() != null) {
      System.err.println(chromium.missing());
      return 2;
    }
    if (cluster < 0 || cluster == 1 || (cluster > 0 && !scenario.equals("broadcast"))) {
      System.err.println("--cluster must be 2 or more, with the broadcast scenario");
      return 2;
    }
    if (tls && (cluster > 0 || crash)) {
      System.err.println("--tls runs with the in-process scenarios (not --cluster or crash)");
      return 2;
    }
    if (killOne && cluster == 0) {
      System.err.println("--kill-one needs --cluster N");
      return 2;
    }
    // A simulated day is paced like a real one; the rest run the fast profile to finish in minutes.
    LimitProfile limits = sopDay || lifecycle ? LimitProfile.SAFE : LimitProfile.FAST;
    System.out.println(limits == LimitProfile.SAFE
        ? "limits: safe defaults (15-45 s between sends, 08:00-22:00, caps under the reported thresholds; docs/limits.md) on a business clock at " + businessSpeed + "x"
        : "limits: fast profile (round the clock, at most " + com.wecomrpa.platform.LabPlatform.FAST_SENDS_PER_MINUTE + " sends a minute per account, under the lab platform's "
            + com.wecomrpa.platform.LabPlatform.SENDS_PER_MINUTE + ") so " + scenario + " finishes in minutes against the simulator; real accounts get the safe defaults (docs/limits.md)");
    wipe(data);
    if (cluster > 0) {
      System.out.printf("demo cluster: %d controllers, %d accounts, %d groups%n", cluster, accounts, groupCount);
      // Separate processes by design; nothing stays running afterwards.
      return ClusterScenario.run(data, scripts, fleet, cluster, killOne, db);
    }
    System.out.printf("demo %s: %d accounts, %d groups, %d devices through %s%n", scenario, accounts, groupCount, accounts, driver);
    if (crash) {
      // Separate processes by design; nothing stays running afterwards.
      return CrashScenario.run(data, scripts, fleet);
    }

    SimulatedClock simClock = sopDay ? SopDayScenario.clockFor(businessSpeed) : lifecycle ? LifecycleScenario.clockFor(businessSpeed)
        : conversation || groupOps ? ConversationScenario.clockFor(businessSpeed) : null;
    Clock clock = simClock != null ? simClock : businessSpeed == 1 ? Clock.systemUTC() : new SimulatedClock(Clock.systemUTC().instant(), businessSpeed);
    DemoStack stack = new DemoStack(data, scripts, fleet, clock, chromium, driver, limits, tls);
    int code;
    if (sopDay) {
      stack.sim.world().addContacts(SopDayScenario.contacts(fleet));
      code = SopDayScenario.run(stack, simClock, examples);
    } else if (lifecycle) {
      Path dir = examples.resolve("lifecycle");
      stack.sim.world().addContacts(LifecycleScenario.contacts(dir));
      code = LifecycleScenario.run(stack, simClock, dir);
    } else if (conversation) {
      stack.sim.world().addContacts(ConversationScenario.contacts(fleet));
      code = ConversationScenario.run(stack, businessSpeed);
    } else if (groupOps) {
      code = GroupsScenario.run(stack, businessSpeed);
    } else if (handover) {
      stack.sim.world().addContacts(HandoverScenario.contacts(fleet));
      code = HandoverScenario.run(stack);
    } else if (risk) {
      code = RiskScenario.run(stack);
    } else {
      code = BroadcastScenario.run(stack);
    }
    if (exitWhenDone) {
      stack.close();
      return code;
    }
    System.out.println("running until Ctrl-C");
    System.setProperty("wecom-rpa.keep-running", "true");
    Teardown.process().awaitStop();
    return code;
  }

  private static void wipe(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
  }
}
