package com.wecomrpa.agent.executor;

import com.wecomrpa.protocol.ActionName;

import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.DriverLauncher;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.script.Flow;
import com.wecomrpa.agent.flow.FlowInterpreter;
import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.agent.flow.ScriptLibrary;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.agent.journal.JobJournal;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.LeaseRef;
import com.wecomrpa.protocol.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one device's jobs, one at a time, on the device's own thread (a device has one UI). Keeps
 * the UI session open between jobs and reopens it, logged in again, if it died. Switches script set
 * versions only between jobs, as each offer says; repairs the device when the controller reports it
 * unhealthy (new session, login, health check), retrying with backoff until it works.
 */
public final class DeviceWorker {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceWorker.class);
  private static final long FIRST_REPAIR_DELAY_MS = 1000;
  private static final long MAX_REPAIR_DELAY_MS = 30_000;

  private final DeviceProfile device;
  private final ScriptLibrary library;
  private final DriverLauncher launcher;
  private final ReportSink sink;
  private final JobJournal journal;
  private final JobPipeline pipeline;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  /** The script set version in use; null while the agent has none for this device. */
  private volatile FlowInterpreter interpreter;
  private volatile UiDriver driver;

  private volatile ControllerJobOffer current;
  private volatile boolean draining;
  private volatile boolean repairing;
  /** Offers handed to this device and not yet begun: a listen gives way to them between chats. */
  private final java.util.concurrent.atomic.AtomicInteger offersWaiting = new java.util.concurrent.atomic.AtomicInteger();
  private final com.wecomrpa.agent.listen.ChatReader reader;
  /**
   * Chats a job opened while they showed unread messages: opening cleared the badge, so the next
   * listen reads them by name. Touched only on the device's thread.
   */
  private final java.util.Set<String> openedUnread = new java.util.LinkedHashSet<>();

  public DeviceWorker(DeviceProfile device, ScriptLibrary library, DriverLauncher launcher, ReportSink sink, JobJournal journal, Clock clock) {
    this.device = device;
    this.library = library;
    this.interpreter = library.local(device.clientKind()).filter(s -> s.supports(device.clientVersion())).map(FlowInterpreter::new).orElse(null);
    this.launcher = launcher;
    this.sink = sink;
    this.journal = journal;
    this.pipeline = new JobPipeline(device.id());
    this.clock = clock;
    this.reader = new com.wecomrpa.agent.listen.ChatReader(clock);
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "device-" + device.id());
              t.setDaemon(true);
              return t;
            });
  }

  public DeviceProfile device() {
    return device;
  }

  /**
   * Opens the session and logs in; completes when the device is ready for jobs. A device none of
   * the agent's own scripts support is opened by its first job, with the version the controller sends.
   */
  public CompletableFuture<Void> open() {
    if (interpreter == null) {
      LOG.warn("device={} runs {} {}, which this agent's own scripts do not support: waiting for a script set from the controller",
          device.id(), device.clientKind(), device.clientVersion());
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(this::ensureSession, thread);
  }

  /** The script set this device runs now, as {@code client@version}; null if none yet. */
  public String scriptLabel() {
    FlowInterpreter i = interpreter;
    return i == null ? null : i.scripts().client() + "@" + i.scripts().version();
  }

  /** Queues a job on this device's thread; hands it back if the device has stopped. */
  public void run(ControllerJobOffer offer) {
    offersWaiting.incrementAndGet();
    try {
      thread.execute(() -> {
        offersWaiting.decrementAndGet();
        execute(offer);
      });
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      offersWaiting.decrementAndGet();
      sink.returned(offer);
    }
  }

  /**
   * Reads new messages on this device's thread, between jobs (a device does one thing at a time).
   * Always answers, even when it cannot read, so the controller frees the device.
   */
  public void listen(com.wecomrpa.protocol.ControllerListen ask) {
    try {
      thread.execute(() -> sink.heard(heard(ask)));
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // the device is stopping; the controller frees it when the agent goes
    }
  }

  private com.wecomrpa.protocol.AgentHeard heard(com.wecomrpa.protocol.ControllerListen ask) {
    Instant now = clock.instant();
    if (draining || repairing || interpreter == null) {
      String why = draining ? "draining" : repairing ? "being repaired" : "no script set yet";
      return new com.wecomrpa.protocol.AgentHeard(ask.listenId(), device.id(), device.accountId(), now, now, java.util.List.of(), "device " + why);
    }
    try {
      ensureSession();
      interpreter.scripts().flow(ActionName.PREPARE).ifPresent(p -> interpreter.run(p, Map.of(), driver));
      java.util.List<String> chats = new java.util.ArrayList<>(ask.chats() == null ? java.util.List.of() : ask.chats());
      openedUnread.stream().filter(c -> !chats.contains(c)).forEach(chats::add);
      com.wecomrpa.protocol.ControllerListen withOpened = new com.wecomrpa.protocol.ControllerListen(ask.listenId(), ask.deviceId(), ask.accountId(),
          ask.unread(), chats, ask.maxChats(), ask.perChat(), ask.budgetMillis());
      com.wecomrpa.protocol.AgentHeard h = reader.read(withOpened, interpreter, driver, () -> offersWaiting.get() > 0 || draining);
      h.chats().stream().filter(c -> c.error() == null).forEach(c -> openedUnread.remove(c.name()));
      int lines = h.chats().stream().mapToInt(c -> c.messages().size()).sum();
      LOG.debug("device={} listen {} read {} chats, {} messages{}", device.id(), ask.listenId(), h.chats().size(), lines, h.error() == null ? "" : ": " + h.error());
      if (driver != null && !driver.alive()) {
        closeSession();
      }
      return h;
    } catch (RuntimeException e) {
      LOG.warn("device={} listen {} failed: {}", device.id(), ask.listenId(), e.getMessage());
      return new com.wecomrpa.protocol.AgentHeard(ask.listenId(), device.id(), device.accountId(), now, clock.instant(), java.util.List.of(), e.getMessage());
    }
  }

  /** The lease this device is working under, if any (sent on reconnect and in heartbeats). */
  public Optional<LeaseRef> activeLease() {
    ControllerJobOffer o = current;
    return o == null ? Optional.empty() : Optional.of(new LeaseRef(o.jobId(), o.fencingToken(), device.id()));
  }

  private void execute(ControllerJobOffer offer) {
    if (draining) {
      LOG.info("job={} lease={} device={} not started: draining, lease handed back", offer.jobId(), offer.fencingToken(), device.id());
      sink.returned(offer);
      return;
    }
    // What this agent did with the job before, whatever the controller remembers of it.
    Optional<JobJournal.Entry> before = journal.find(offer.jobId());
    if (before.isPresent() && before.get().fencingToken() == offer.fencingToken()) {
      LOG.warn("job={} lease={} device={} offered again under a lease already taken here ({}): ignored",
          offer.jobId(), offer.fencingToken(), device.id(), before.get().ended() ? before.get().outcome() : "started");
      return;
    }
    current = offer;
    Instant started = clock.instant();
    journal.started(offer.jobId(), offer.fencingToken(), device.id());
    LOG.info("job={} lease={} device={} starting {} (attempt {}{})", offer.jobId(), offer.fencingToken(), device.id(), offer.action(), offer.attempt(),
        before.isPresent() ? ", started here before under lease " + before.get().fencingToken() : "");
    sink.started(offer);
    JobPipeline.Result done = pipeline.run(offer, before, () -> openForJob(offer.scriptVersion()));
    FlowResult result = done.flow();
    if (result.values() != null && result.values().containsKey("unread_before")) {
      String chat = offer.params().getOrDefault("group_name", offer.params().get("customer_name"));
      if (chat != null) {
        openedUnread.add(chat);
      }
    }
    if (result.outcome() != Outcome.SUCCEEDED && driver != null && !driver.alive()) {
      LOG.warn("device={} session died; it will be reopened before the next job", device.id());
      closeSession();
    }
    LOG.info("job={} lease={} device={} {}{}", offer.jobId(), offer.fencingToken(), device.id(), result.outcome(),
        result.error() == null ? "" : " at " + result.failedStep() + ": " + result.error());
    AgentJobReport report =
        new AgentJobReport(
            UUID.randomUUID().toString(),
            offer.jobId(),
            offer.fencingToken(),
            device.id(),
            result.outcome(),
            result.failedStep(),
            result.error(),
            result.outcome() == Outcome.SUCCEEDED || result.screenshot() == null ? null : Base64.getEncoder().encodeToString(result.screenshot()),
            started,
            clock.instant(),
            scriptLabel(),
            done.riskSignal(),
            done.evidence(),
            done.failure());
    journal.ended(offer.jobId(), offer.fencingToken(), device.id(), result.outcome());
    current = null;
    sink.report(report);
  }

  /** Makes the device ready for a job: the offer's script set version, and a live, logged-in session. */
  private JobPipeline.Session openForJob(String scriptVersion) throws JobPipeline.DeviceFault {
    try {
      useScripts(scriptVersion);
    } catch (RuntimeException e) {
      throw new JobPipeline.DeviceFault("scripts", e.getMessage());
    }
    try {
      ensureSession();
    } catch (RuntimeException e) {
      throw new JobPipeline.DeviceFault("open-session", "cannot open a session: " + e.getMessage());
    }
    return new JobPipeline.Session(interpreter, driver);
  }

  /** Takes the script set version the offer names (between jobs: this runs before any step). */
  private void useScripts(String version) {
    var set = library.resolve(device.clientKind(), version);
    if (!set.supports(device.clientVersion())) {
      throw new IllegalStateException("script set " + set.client() + "@" + set.version() + " does not support " + device.clientKind() + " " + device.clientVersion());
    }
    FlowInterpreter now = interpreter;
    if (now == null || now.scripts() != set) {
      LOG.info("device={} now runs script set {}@{} (was {})", device.id(), set.client(), set.version(), scriptLabel());
      interpreter = new FlowInterpreter(set);
    }
  }

  /**
   * The controller found this device failing job after job: repair it on its own thread (new
   * session, login, health check), retrying with backoff, and say when it works.
   */
  public void repair(String reason) {
    if (repairing) {
      return;
    }
    repairing = true;
    LOG.warn("device={} reported unhealthy ({}): repairing", device.id(), reason);
    scheduleRepair(FIRST_REPAIR_DELAY_MS);
  }

  private void scheduleRepair(long delayMs) {
    try {
      thread.schedule(() -> tryRepair(delayMs), delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // the device is stopping
    }
  }

  private void tryRepair(long lastDelayMs) {
    if (!repairing || draining) {
      return;
    }
    String problem;
    try {
      if (interpreter == null) {
        throw new IllegalStateException("no script set for " + device.clientKind() + " " + device.clientVersion());
      }
      closeSession();
      ensureSession();
      Optional<Flow> check = interpreter.scripts().flow(ActionName.HEALTH_CHECK).or(() -> interpreter.scripts().flow(ActionName.PREPARE));
      FlowResult r = check.map(f -> interpreter.run(f, Map.of(), driver)).orElse(new FlowResult(Outcome.SUCCEEDED, null, null, null, Map.of()));
      problem = r.outcome() == Outcome.SUCCEEDED ? null : r.failedStep() + ": " + r.error();
    } catch (RuntimeException e) {
      problem = e.getMessage();
    }
    if (problem == null) {
      repairing = false;
      LOG.info("device={} repaired: logged in again and its health check passed", device.id());
      sink.healthy(device.id(), "new session, logged in, health check passed");
      return;
    }
    long next = Math.min(MAX_REPAIR_DELAY_MS, lastDelayMs * 2);
    LOG.warn("device={} still unhealthy ({}); next try in {} ms", device.id(), problem, next);
    scheduleRepair(next);
  }

  private void ensureSession() {
    if (driver != null && driver.alive()) {
      return;
    }
    closeSession();
    UiDriver d = launcher.start(device);
    Flow login =
        interpreter.scripts().flow(ActionName.LOGIN)
            .orElseThrow(() -> new IllegalStateException("script set has no login flow"));
    FlowResult r = interpreter.run(login, Map.of("client_url", String.valueOf(device.clientUrl()), "account_id", device.accountId()), d);
    if (r.outcome() != Outcome.SUCCEEDED) {
      d.close();
      throw new IllegalStateException("login failed at " + r.failedStep() + ": " + r.error());
    }
    driver = d;
    LOG.info("device={} logged in as {}", device.id(), device.accountId());
  }

  /** Ends the session. The reference is taken atomically; the browser is quit outside any lock (it can take seconds). */
  private void closeSession() {
    UiDriver d;
    synchronized (this) {
      d = driver;
      driver = null;
    }
    if (d != null) {
      d.close();
    }
  }

  /** Starts nothing more: offers not yet begun are handed back. */
  public void drain() {
    draining = true;
  }

  /** Finishes the running job (bounded), hands back unstarted ones, then closes the session. */
  public void stop() {
    draining = true;
    thread.shutdown();
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.shutdownNow();
    closeSession();
  }

  /** Stops at once, as a crash would: the running job is abandoned without a report. */
  public void kill() {
    // The browser goes first, mid-command if need be, as it would with the process.
    closeSession();
    thread.shutdownNow();
  }
}
