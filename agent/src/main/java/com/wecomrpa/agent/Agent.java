package com.wecomrpa.agent;

import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.DriverLauncher;
import com.wecomrpa.agent.executor.DeviceWorker;
import com.wecomrpa.agent.executor.ReportSink;
import com.wecomrpa.agent.flow.ScriptLibrary;
import com.wecomrpa.script.ScriptSet;
import com.wecomrpa.script.ScriptSetLoader;
import com.wecomrpa.agent.link.ControllerLink;
import com.wecomrpa.agent.link.ReportOutbox;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerLeaseRevoked;
import com.wecomrpa.protocol.HeldLease;
import com.wecomrpa.protocol.LeaseRef;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.agent.journal.JobJournal;
import java.util.ArrayList;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent process: its devices' workers and its link to the controller. Devices are logged in
 * before the agent announces them, so no offer reaches a device that cannot run it. Each device is
 * announced with the agent's own script set if one supports its client version; the controller
 * decides which version each job runs with and the device fetches it between jobs.
 */
public final class Agent {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  public static final String VERSION = com.wecomrpa.protocol.Release.current().version();

  private final Vertx vertx;
  private final com.wecomrpa.agent.flow.StepTimes stepTimes = new com.wecomrpa.agent.flow.StepTimes();
  private final AgentOptions options;
  private final DriverLauncher launcher;
  private final Clock clock;
  private final Map<String, DeviceWorker> workers = new LinkedHashMap<>();
  private ControllerLink link;
  private ScriptLibrary library;
  private JobJournal journal;

  public Agent(Vertx vertx, AgentOptions options, DriverLauncher launcher, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.launcher = launcher;
    this.clock = clock;
  }

  public Future<Void> start() {
    Map<String, ScriptSet> own = new HashMap<>();
    for (DeviceProfile d : options.devices()) {
      if (!own.containsKey(d.clientKind()) && java.nio.file.Files.isDirectory(options.scriptsFor(d.clientKind()))) {
        own.put(d.clientKind(), ScriptSetLoader.load(options.scriptsFor(d.clientKind())));
      }
    }
    library = new ScriptLibrary(own, (client, version) -> link.requestScripts(client, version), Duration.ofSeconds(20));
    journal = JobJournal.open(options.workDir().resolve("journal"), clock);
    ReportOutbox outbox = new ReportOutbox(options.workDir().resolve("outbox"));
    reportInterrupted(outbox);
    for (DeviceProfile d : options.devices()) {
      ReportSink sink =
          new ReportSink() {
            @Override
            public void started(ControllerJobOffer offer) {
              link.started(offer);
            }

            @Override
            public void report(AgentJobReport report) {
              link.report(report);
            }

            @Override
            public void heard(com.wecomrpa.protocol.AgentHeard heard) {
              link.report(heard);
            }

            @Override
            public void returned(ControllerJobOffer offer) {
              link.returnLease(offer);
            }

            @Override
            public void healthy(String deviceId, String detail) {
              link.deviceHealthy(deviceId, detail);
            }

            @Override
            public void unhealthy(String deviceId, String detail) {
              link.deviceUnhealthy(deviceId, detail);
            }

            @Override
            public void screen(com.wecomrpa.protocol.AgentScreen screen) {
              link.screen(screen);
            }
          };
      workers.put(d.id(), new DeviceWorker(d, library, launcher, sink, journal, clock, stepTimes));
    }
    link = new ControllerLink(vertx, options.controllerUrls(), options.caFile(), options.agentId(), this::hello, this::activeLeases, new com.wecomrpa.agent.link.LinkListener() {
      @Override
      public void onOffer(ControllerJobOffer offer) {
        DeviceWorker w = workers.get(offer.deviceId());
        if (w == null) {
          LOG.warn("job={} offered to unknown device {}; its lease will expire", offer.jobId(), offer.deviceId());
          return;
        }
        w.run(offer);
      }

      @Override
      public void onRevoked(ControllerLeaseRevoked revoked) {
        LOG.warn("job={} lease={} revoked: {}", revoked.jobId(), revoked.fencingToken(), revoked.reason());
      }

      @Override
      public void onListen(com.wecomrpa.protocol.ControllerListen listen) {
        DeviceWorker w = workers.get(listen.deviceId());
        if (w == null) {
          LOG.warn("listen {} asked of unknown device {}", listen.listenId(), listen.deviceId());
          return;
        }
        w.listen(listen);
      }

      @Override
      public void onWatch(com.wecomrpa.protocol.ControllerWatch watch) {
        DeviceWorker w = workers.get(watch.deviceId());
        if (w != null) {
          w.watch(watch);
        }
      }

      @Override
      public void onDeviceHealth(ControllerDeviceHealth health) {
        DeviceWorker w = workers.get(health.deviceId());
        if (w != null && !health.healthy()) {
          w.repair(health.reason());
        }
      }
    }, outbox);
    CompletableFuture<?>[] opening = workers.values().stream().map(DeviceWorker::open).toArray(CompletableFuture[]::new);
    return Future.fromCompletionStage(CompletableFuture.allOf(opening), vertx.getOrCreateContext())
        .compose(v -> link.start())
        .onSuccess(v -> LOG.info("agent {} ready with {} devices", options.agentId(), workers.size()));
  }

  /**
   * Jobs an earlier run of this agent started and never ended (it was killed mid-job) are reported
   * UNKNOWN: the message may be out, so the controller has them verified before any resend. The
   * report id is fixed per lease, so doing this twice after a second crash changes nothing.
   */
  private void reportInterrupted(ReportOutbox outbox) {
    for (JobJournal.Entry e : journal.interrupted()) {
      LOG.warn("job={} lease={} device={} was started by an earlier run that never ended it: reporting UNKNOWN", e.jobId(), e.fencingToken(), e.deviceId());
      outbox.put(new AgentJobReport("interrupted-" + e.jobId() + "-" + e.fencingToken(), e.jobId(), e.fencingToken(), e.deviceId(), Outcome.UNKNOWN,
          null, "the agent stopped in the middle of this job (killed or crashed): the message may have been sent", null, e.startedAt(), clock.instant(),
          null, null, null, null));
      journal.ended(e.jobId(), e.fencingToken(), e.deviceId(), Outcome.UNKNOWN);
    }
  }

  /** Called on the link's context: what the agent holds is read there, with its outbox. */
  private AgentHello hello() {
    List<HeldLease> held = new ArrayList<>();
    activeLeases().forEach(l -> held.add(new HeldLease(l.jobId(), l.fencingToken(), l.deviceId(), HeldLease.Phase.RUNNING, null)));
    link.unacknowledgedReports().forEach(r -> held.add(new HeldLease(r.jobId(), r.fencingToken(), r.deviceId(), HeldLease.Phase.FINISHED, r.outcome())));
    return new AgentHello(
        options.agentId(), options.currentToken(), VERSION,
        options.devices().stream().map(d -> d.info(library.local(d.clientKind()).filter(s -> s.supports(d.clientVersion()))
            .map(s -> s.client() + "@" + s.version()).orElse(null))).toList(),
        held);
  }

  private List<LeaseRef> activeLeases() {
    return workers.values().stream().map(DeviceWorker::activeLease).flatMap(Optional::stream).toList();
  }

  /** Reports not yet acknowledged by the controller. */
  public Future<Integer> unacknowledgedReports() {
    return link.unacknowledged();
  }

  /**
   * Drains: the controller is told to offer nothing more, running jobs finish (bounded) and
   * report, leases not yet started are handed back; then it disconnects and closes every session.
   */
  public Future<Void> stop() {
    workers.values().forEach(DeviceWorker::drain);
    Future<Void> told = link == null ? Future.succeededFuture() : link.drain("agent stopping");
    return told
        .compose(
            v ->
                vertx.executeBlocking(
                    () -> {
                      workers.values().parallelStream().forEach(DeviceWorker::stop);
                      return null;
                    }))
        // Give the last reports a moment to be acknowledged; unacknowledged ones stay on disk.
        .compose(v -> link == null ? Future.succeededFuture() : awaitAcks(20))
        .compose(v -> link == null ? Future.succeededFuture() : link.stop())
        .eventually(() -> {
          if (journal != null) {
            journal.close();
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> awaitAcks(int triesLeft) {
    return link.unacknowledged().compose(n -> {
      if (n == 0 || triesLeft == 0) {
        return Future.succeededFuture();
      }
      io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
      vertx.setTimer(100, t -> awaitAcks(triesLeft - 1).onComplete(later));
      return later.future();
    });
  }

  /** Dies as a crash would: the connection drops and running jobs are abandoned unreported. */
  public Future<Void> kill() {
    Future<Void> dropped = link == null ? Future.succeededFuture() : link.stop();
    return dropped.compose(
        v ->
            vertx.executeBlocking(
                () -> {
                  workers.values().forEach(DeviceWorker::kill);
                  return null;
                }));
  }

  /** Where this agent's flows spent their time, step by step, since it started. */
  public com.wecomrpa.agent.flow.StepTimes stepTimes() {
    return stepTimes;
  }
}
