package com.wecomrpa.agent.executor;

import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.DriverLauncher;
import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.agent.flow.ScriptLibrary;
import com.wecomrpa.agent.flow.StepTimes;
import com.wecomrpa.agent.journal.JobJournal;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerListen;
import com.wecomrpa.protocol.LeaseRef;
import com.wecomrpa.protocol.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one device's jobs, one at a time, on the device's own thread (a device has one UI), with
 * its listens between them. The session ({@link DeviceSession}) stays open between jobs and is
 * reopened, logged in again, if it died; script set versions switch only between jobs, as each
 * offer says; {@link DeviceRepair} repairs the device when the controller reports it unhealthy.
 */
public final class DeviceWorker {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceWorker.class);

  private final DeviceProfile device;
  private final ReportSink sink;
  private final JobJournal journal;
  private final JobPipeline pipeline;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final DeviceSession session;
  private final ListenRun listening;
  private final DeviceRepair repair;
  private final ScreenFeed screen;
  /** Whether the idle tick of a watched screen is scheduled (one at a time). */
  private final java.util.concurrent.atomic.AtomicBoolean ticking = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile ControllerJobOffer current;
  private volatile boolean draining;
  /** Why the agent could not write its journal (a full disk), or null: the device takes no job until it can. */
  private volatile String diskFault;
  /** How often a device kept from work by a full disk tries a write again. */
  static final long DISK_PROBE_MS = 2_000;
  /** Offers handed to this device and not yet begun: a listen gives way to them between chats. */
  private final AtomicInteger offersWaiting = new AtomicInteger();

  /** {@code times} adds up where the device's flows spend their time (one per agent). */
  public DeviceWorker(DeviceProfile device, ScriptLibrary library, DriverLauncher launcher, ReportSink sink, JobJournal journal, Clock clock, StepTimes times) {
    this(device, library, launcher, sink, journal, clock, times, DeviceRepair.FIRST_DELAY_MS);
  }

  /** As above, the first repair attempt {@code firstRepairDelayMs} after the controller asks for one. */
  DeviceWorker(DeviceProfile device, ScriptLibrary library, DriverLauncher launcher, ReportSink sink, JobJournal journal, Clock clock, StepTimes times,
      long firstRepairDelayMs) {
    this.device = device;
    this.sink = sink;
    this.journal = journal;
    this.pipeline = new JobPipeline(device.id());
    this.clock = clock;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "device-" + device.id());
              t.setDaemon(true);
              return t;
            });
    this.screen = new ScreenFeed(device.id(), clock, sink::screen);
    this.session = new DeviceSession(device, library, launcher, times, screen);
    this.listening = new ListenRun(device.id(), device.accountId(), session, clock);
    this.repair = new DeviceRepair(device.id(), device.clientKind() + " " + device.clientVersion(), session, thread,
        // Repaired is not healthy while the disk keeps the device from work: the disk probe says when it is.
        (id, passed) -> {
          if (diskFault == null) {
            sink.healthy(id, passed);
          }
        },
        () -> draining, firstRepairDelayMs);
  }

  public DeviceProfile device() {
    return device;
  }

  /**
   * Opens the session and logs in; completes when the device is ready for jobs. A device none of
   * the agent's own scripts support is opened by its first job, with the version the controller sends.
   */
  public CompletableFuture<Void> open() {
    if (!session.hasScripts()) {
      LOG.warn("device={} runs {} {}, which this agent's own scripts do not support: waiting for a script set from the controller",
          device.id(), device.clientKind(), device.clientVersion());
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.runAsync(session::ensure, thread);
  }

  /** The script set this device runs now, as {@code client@version}; null if none yet. */
  public String scriptLabel() {
    return session.scriptLabel();
  }

  /** Queues a job on this device's thread; hands it back if the device has stopped. */
  public void run(ControllerJobOffer offer) {
    offersWaiting.incrementAndGet();
    try {
      thread.execute(() -> {
        offersWaiting.decrementAndGet();
        execute(offer);
      });
    } catch (RejectedExecutionException stopped) {
      offersWaiting.decrementAndGet();
      sink.returned(offer);
    }
  }

  /** Reads new messages on this device's thread, between jobs (a device does one thing at a time). */
  public void listen(ControllerListen ask) {
    try {
      thread.execute(() -> sink.heard(listening.read(ask, draining ? "draining" : repair.repairing() ? "being repaired" : null,
          () -> offersWaiting.get() > 0 || draining)));
    } catch (RejectedExecutionException stopped) {
      // the device is stopping; the controller frees it when the agent goes
    }
  }

  /**
   * Someone watches this device's screen: pictures between a job's steps, and on an idle tick
   * between jobs, until the watch lapses (the tick then stops itself).
   */
  public void watch(com.wecomrpa.protocol.ControllerWatch w) {
    screen.watch(w.forMillis(), w.everyMillis());
    if (ticking.compareAndSet(false, true)) {
      schedule(0);
    }
  }

  private void schedule(long delayMillis) {
    try {
      thread.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopped) {
      ticking.set(false); // the device is stopping: nothing to show
    }
  }

  private void tick() {
    if (!screen.watched(clock.millis())) {
      ticking.set(false);
      return;
    }
    if (current == null && !repair.repairing()) {
      screen.shoot(session.driver(), null);
    }
    schedule(screen.everyMillis());
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
    Instant started = clock.instant();
    try {
      // Not started unless the journal says so on disk: a job it cannot record is not begun.
      journal.started(offer.jobId(), offer.fencingToken(), device.id());
    } catch (java.io.UncheckedIOException full) {
      LOG.error("job={} lease={} device={} not started, lease handed back: {}", offer.jobId(), offer.fencingToken(), device.id(), full.getMessage());
      diskFull(full.getMessage());
      sink.returned(offer);
      return;
    }
    current = offer;
    screen.working(offer.jobId());
    LOG.info("job={} lease={} device={} starting {} (attempt {}{})", offer.jobId(), offer.fencingToken(), device.id(), offer.action(), offer.attempt(),
        before.isPresent() ? ", started here before under lease " + before.get().fencingToken() : "");
    sink.started(offer);
    JobPipeline.Result done = pipeline.run(offer, before, () -> openForJob(offer.scriptVersion()));
    FlowResult result = done.flow();
    if (result.values() != null && result.values().containsKey("unread_before")) {
      String chat = offer.params().getOrDefault("group_name", offer.params().get("customer_name"));
      if (chat != null) {
        listening.openedUnread(chat);
      }
    }
    if (result.outcome() != Outcome.SUCCEEDED && session.closeIfDead()) {
      LOG.warn("device={} session died; it will be reopened before the next job", device.id());
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
    try {
      journal.ended(offer.jobId(), offer.fencingToken(), device.id(), result.outcome());
    } catch (java.io.UncheckedIOException full) {
      // The journal still says started: offered again, the job is verified in the chat before anything is sent.
      LOG.error("job={} lease={} device={} {} but its end is not in the journal: {}", offer.jobId(), offer.fencingToken(), device.id(), result.outcome(),
          full.getMessage());
      diskFull(full.getMessage());
    }
    current = null;
    screen.working(null);
    sink.report(report);
  }

  /**
   * The agent cannot write its journal: the controller is told to offer this device nothing (one
   * alert), and a write is tried every {@link #DISK_PROBE_MS} until one passes; the device then takes
   * jobs again by itself. Runs on the device's thread.
   */
  private void diskFull(String why) {
    boolean first = diskFault == null;
    diskFault = why;
    sink.unhealthy(device.id(), "the agent cannot write its job journal, so it starts no job on this device: " + why);
    if (first) {
      scheduleDiskProbe();
    }
  }

  private void scheduleDiskProbe() {
    try {
      thread.schedule(this::probeDisk, DISK_PROBE_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopped) {
      // the device is stopping
    }
  }

  private void probeDisk() {
    Optional<String> still = journal.unwritable();
    if (still.isPresent()) {
      diskFault = still.get();
      scheduleDiskProbe();
      return;
    }
    LOG.info("device={} the agent writes its job journal again: takes jobs again", device.id());
    diskFault = null;
    sink.healthy(device.id(), "the agent writes its job journal again");
  }

  /** Why the agent's disk keeps this device from work, if it does. */
  public Optional<String> diskFault() {
    return Optional.ofNullable(diskFault);
  }

  /** Makes the device ready for a job: the offer's script set version, and a live, logged-in session. */
  private JobPipeline.Session openForJob(String scriptVersion) throws JobPipeline.DeviceFault {
    try {
      session.useScripts(scriptVersion);
    } catch (RuntimeException e) {
      throw new JobPipeline.DeviceFault("scripts", e.getMessage());
    }
    try {
      session.ensure();
    } catch (RuntimeException e) {
      throw new JobPipeline.DeviceFault("open-session", "cannot open a session: " + e.getMessage());
    }
    return new JobPipeline.Session(session.interpreter(), session.driver());
  }

  /** The controller found this device failing job after job: repair it (see {@link DeviceRepair}). */
  public void repair(String reason) {
    repair.start(reason);
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
    session.close();
  }

  /** Stops at once, as a crash would: the running job is abandoned without a report. */
  public void kill() {
    // The browser goes first, mid-command if need be, as it would with the process.
    session.close();
    thread.shutdownNow();
  }
}
