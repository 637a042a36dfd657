package com.wecomrpa.agent.executor;

import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.DriverLauncher;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.flow.FlowInterpreter;
import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.agent.flow.ScriptLibrary;
import com.wecomrpa.agent.flow.StepTimes;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.script.Flow;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's UI session and the script set it runs: opened and logged in when needed, kept
 * between jobs, reopened once it died; the script set version switched only between jobs.
 */
final class DeviceSession {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceSession.class);

  private final DeviceProfile device;
  private final ScriptLibrary library;
  private final DriverLauncher launcher;
  private final StepTimes times;
  /** The script set version in use; null while the agent has none for this device. */
  private volatile FlowInterpreter interpreter;
  private volatile UiDriver driver;

  private final FlowInterpreter.StepWatcher watcher;

  DeviceSession(DeviceProfile device, ScriptLibrary library, DriverLauncher launcher, StepTimes times, FlowInterpreter.StepWatcher watcher) {
    this.watcher = watcher;
    this.device = device;
    this.library = library;
    this.launcher = launcher;
    this.times = times;
    this.interpreter = library.local(device.clientKind()).filter(s -> s.supports(device.clientVersion())).map(s -> new FlowInterpreter(s, times, watcher)).orElse(null);
  }

  boolean hasScripts() {
    return interpreter != null;
  }

  FlowInterpreter interpreter() {
    return interpreter;
  }

  UiDriver driver() {
    return driver;
  }

  /** The script set this device runs now, as {@code client@version}; null if none yet. */
  String scriptLabel() {
    FlowInterpreter i = interpreter;
    return i == null ? null : i.scripts().client() + "@" + i.scripts().version();
  }

  /** Takes the script set version the offer names (between jobs: this runs before any step). */
  void useScripts(String version) {
    var set = library.resolve(device.clientKind(), version);
    if (!set.supports(device.clientVersion())) {
      throw new IllegalStateException("script set " + set.client() + "@" + set.version() + " does not support " + device.clientKind() + " " + device.clientVersion());
    }
    FlowInterpreter now = interpreter;
    if (now == null || now.scripts() != set) {
      LOG.info("device={} now runs script set {}@{} (was {})", device.id(), set.client(), set.version(), scriptLabel());
      interpreter = new FlowInterpreter(set, times, watcher);
    }
  }

  /** A live, logged-in session: the one there is, or a new one. */
  void ensure() {
    if (driver != null && driver.alive()) {
      return;
    }
    close();
    UiDriver d = launcher.start(device);
    Flow login = interpreter.scripts().flow(ActionName.LOGIN).orElseThrow(() -> new IllegalStateException("script set has no login flow"));
    FlowResult r = interpreter.run(login, Map.of("client_url", String.valueOf(device.clientUrl()), "account_id", device.accountId()), d);
    if (r.outcome() != Outcome.SUCCEEDED) {
      d.close();
      throw new IllegalStateException("login failed at " + r.failedStep() + ": " + r.error());
    }
    driver = d;
    LOG.info("device={} logged in as {}", device.id(), device.accountId());
  }

  /** Closes a session that died, so the next use opens a new one; true if it had. */
  boolean closeIfDead() {
    UiDriver d = driver;
    if (d != null && !d.alive()) {
      close();
      return true;
    }
    return false;
  }

  /** Ends the session. The reference is taken atomically; the browser is quit outside any lock (it can take seconds). */
  void close() {
    UiDriver d;
    synchronized (this) {
      d = driver;
      driver = null;
    }
    if (d != null) {
      d.close();
    }
  }
}
