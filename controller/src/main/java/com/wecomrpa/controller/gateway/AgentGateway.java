package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.access.Caller;
import com.wecomrpa.controller.access.JdbcTokenStore;
import com.wecomrpa.controller.access.Role;
import com.wecomrpa.controller.dispatch.AgentLink;
import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.controller.risk.RiskMetrics;
import com.wecomrpa.controller.rollout.JdbcScriptStore;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.protocol.AgentDeviceHealth;
import com.wecomrpa.protocol.AgentScriptRequest;
import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerScriptBundle;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.protocol.AgentDraining;
import com.wecomrpa.protocol.AgentHeartbeat;
import com.wecomrpa.protocol.AgentLeaseReturned;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.AgentJobStarted;
import com.wecomrpa.protocol.ControllerLeaseRevoked;
import com.wecomrpa.protocol.ControllerRefusal;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.HeldLease;
import com.wecomrpa.protocol.LeaseRef;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' door: authenticates a connection by its hello, registers its devices, and turns what
 * agents say (started, report, heartbeat) into job state under their fencing tokens.
 */
public final class AgentGateway {
  private static final Logger LOG = LoggerFactory.getLogger(AgentGateway.class);
  /** WebSocket close code for a refused hello (4000-4999 are free for applications). */
  public static final short CLOSE_REFUSED = 4401;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final Jobs jobs;
  private final ScreenshotFolder screenshots;
  private final JdbcTokenStore tokens;
  private final Clock clock;
  private final Clock businessClock;
  private final RiskMetrics metrics;
  private final JdbcScriptStore scripts;
  private final JdbcAlertStore alerts;
  private final byte[] agentToken;
  private final Duration leaseFor;
  private final Duration heartbeatEvery;
  private final int maxAttempts;
  private final GroupCommit durable;

  public AgentGateway(
      Vertx vertx,
      WorkerExecutor workers,
      DeviceBoard board,
      Dispatcher dispatcher,
      Jobs jobs,
      ScreenshotFolder screenshots,
      JdbcTokenStore tokens,
      Clock clock,
      Clock businessClock,
      RiskMetrics metrics,
      JdbcScriptStore scripts,
      JdbcAlertStore alerts,
      String agentToken,
      Duration leaseFor,
      Duration heartbeatEvery,
      int maxAttempts,
      GroupCommit durable) {
    this.durable = durable;
    this.vertx = vertx;
    this.workers = workers;
    this.board = board;
    this.dispatcher = dispatcher;
    this.jobs = jobs;
    this.screenshots = screenshots;
    this.tokens = tokens;
    this.clock = clock;
    this.businessClock = businessClock;
    this.metrics = metrics;
    this.scripts = scripts;
    this.alerts = alerts;
    this.agentToken = agentToken.getBytes(StandardCharsets.UTF_8);
    this.leaseFor = leaseFor;
    this.heartbeatEvery = heartbeatEvery;
    this.maxAttempts = maxAttempts;
  }

  /** Serves one connection until it closes. */
  public void accept(ServerWebSocket ws) {
    new Connection(ws).open();
  }

  private final class Connection implements AgentLink {
    private final ServerWebSocket ws;
    private String agentId;
    private long lastHeard = System.nanoTime();
    private long watchdog = -1;
    private boolean closed;

    Connection(ServerWebSocket ws) {
      this.ws = ws;
    }

    void open() {
      ws.textMessageHandler(this::onText);
      ws.closeHandler(v -> onClose());
      ws.exceptionHandler(e -> LOG.debug("agent={} socket error: {}", agentId, e.getMessage()));
      // An agent that goes silent (no heartbeat for three intervals) is disconnected; its leases
      // then run out on their own clock and its devices take no more offers.
      long silentNanos = heartbeatEvery.multipliedBy(3).toNanos();
      watchdog =
          vertx.setPeriodic(
              Math.max(100, heartbeatEvery.toMillis()),
              t -> {
                if (System.nanoTime() - lastHeard > silentNanos) {
                  LOG.warn("agent={} silent for {}; closing", agentId, heartbeatEvery.multipliedBy(3));
                  ws.close();
                }
              });
    }

    @Override
    public boolean send(Message m) {
      if (closed) {
        return false;
      }
      ws.writeTextMessage(WireCodec.encode(m));
      return true;
    }

    private void onText(String text) {
      lastHeard = System.nanoTime();
      Message m;
      try {
        m = WireCodec.decode(text);
      } catch (WireCodec.MalformedMessageException e) {
        refuse("malformed message: " + e.getMessage());
        return;
      }
      if (agentId == null) {
        if (m instanceof AgentHello hello) {
          onHello(hello);
        } else {
          refuse("the first message must be agent.hello");
        }
        return;
      }
      if (m instanceof AgentHeartbeat hb) {
        onHeartbeat(hb);
      } else if (m instanceof AgentJobStarted s) {
        onStarted(s);
      } else if (m instanceof AgentJobReport r) {
        onReport(r);
      } else if (m instanceof AgentDraining d) {
        LOG.info("agent={} draining ({}): no more offers to its devices", agentId, d.reason());
        board.drain(agentId);
      } else if (m instanceof AgentLeaseReturned back) {
        onLeaseReturned(back);
      } else if (m instanceof AgentScriptRequest req) {
        onScriptRequest(req);
      } else if (m instanceof AgentDeviceHealth health) {
        onDeviceHealth(health);
      } else {
        LOG.warn("agent={} sent unexpected {}", agentId, m.getClass().getSimpleName());
      }
    }

    private void onHello(AgentHello hello) {
      byte[] given = hello.token() == null ? new byte[0] : hello.token().getBytes(StandardCharsets.UTF_8);
      if (MessageDigest.isEqual(given, agentToken)) {
        welcome(hello, Caller.CONFIGURED_AGENT);
        return;
      }
      // Not the configured token: perhaps an agent token issued through the API.
      workers
          .executeBlocking(() -> tokens.authenticate(hello.token()), false)
          .onSuccess(
              caller -> {
                if (caller.isEmpty() || caller.get().role() != Role.AGENT) {
                  LOG.warn("agent hello refused from {}: bad token", ws.remoteAddress());
                  refuse("invalid agent token");
                  return;
                }
                welcome(hello, caller.get());
              })
          .onFailure(e -> refuse("cannot check the token now"));
    }

    private void welcome(AgentHello hello, Caller caller) {
      if (hello.agentId() == null || hello.agentId().isBlank() || hello.devices() == null) {
        refuse("agent.hello needs agentId and devices");
        return;
      }
      var foreign = hello.devices().stream().filter(d -> !caller.mayUseDevice(d.id())).findFirst();
      if (foreign.isPresent()) {
        LOG.warn("agent={} refused: token {} does not cover device {}", hello.agentId(), caller.tokenId(), foreign.get().id());
        refuse("this agent token does not cover device " + foreign.get().id());
        return;
      }
      var taken = board.conflictingDevice(hello.agentId(), hello.devices());
      if (taken.isPresent()) {
        refuse("device " + taken.get() + " is already connected through another agent");
        return;
      }
      List<HeldLease> held = hello.held() == null ? List.of() : hello.held();
      String id = hello.agentId();
      // What the agent holds is settled before its devices are registered, so nothing is offered
      // to them until a lease the controller lost in a crash has been adopted, not granted again.
      workers
          .executeBlocking(() -> jobs.reports().reconcile(id, held, clock.instant(), businessClock.instant(), leaseFor), false)
          .compose(standing -> held.isEmpty() ? io.vertx.core.Future.succeededFuture(standing) : durable.flushed().map(standing))
          .onSuccess(standing -> {
            if (closed) {
              return;
            }
            agentId = id;
            board.register(agentId, hello.devices(), standing.stream().map(HeldLease::ref).toList(), this);
            send(new ControllerWelcome(agentId, heartbeatEvery.toMillis(), leaseFor.toMillis()));
            LOG.info("agent={} connected with {} devices from {}; {} held leases, {} stand", agentId, hello.devices().size(), ws.remoteAddress(),
                held.size(), standing.size());
            for (var d : hello.devices()) {
              // A device still unhealthy from before a reconnect is repaired by this agent, not forgotten.
              board.unhealthyReason(d.id()).ifPresent(why -> send(new ControllerDeviceHealth(d.id(), false, why)));
              board.assignment(d.id()).filter(a -> !a.runnable()).ifPresent(a -> alert(d.accountId(), d.id(), "device:unsupported", a.problem()));
            }
            dispatcher.kick();
          })
          .onFailure(e -> {
            // Not a refusal (that would stop the agent for good): it reconnects and says hello again.
            LOG.error("agent={} hello: cannot settle its held leases now; closing so it tries again", id, e);
            ws.close();
          });
    }

    private void onScriptRequest(AgentScriptRequest req) {
      workers
          .executeBlocking(() -> scripts.find(req.client(), req.version()), false)
          .onComplete(ar -> {
            if (ar.succeeded() && ar.result().isPresent()) {
              send(new ControllerScriptBundle(req.client(), req.version(), ar.result().get().files(), null));
              LOG.info("agent={} fetched script set {}@{}", agentId, req.client(), req.version());
            } else {
              send(new ControllerScriptBundle(req.client(), req.version(), java.util.Map.of(),
                  ar.failed() ? "cannot read script set now" : "no script set " + req.client() + "@" + req.version()));
            }
          });
    }

    private void onDeviceHealth(AgentDeviceHealth h) {
      if (h.healthy() && board.markHealthy(h.deviceId(), agentId)) {
        LOG.info("device={} agent={} repaired ({}): takes jobs again", h.deviceId(), agentId, h.detail());
        dispatcher.kick();
      }
    }

    private void onHeartbeat(AgentHeartbeat hb) {
      if (hb.leases() != null) {
        hb.leases().forEach(this::renew);
      }
    }

    private void renew(LeaseRef lease) {
      workers
          .executeBlocking(() -> jobs.reports().renew(lease.jobId(), lease.fencingToken(), clock.instant(), leaseFor), false)
          .onSuccess(
              ok -> {
                if (!ok) {
                  send(new ControllerLeaseRevoked(lease.jobId(), lease.fencingToken(), "lease is no longer current"));
                  board.release(lease.deviceId(), lease.jobId(), lease.fencingToken());
                  dispatcher.kick();
                }
              });
    }

    private void onLeaseReturned(AgentLeaseReturned back) {
      workers
          .executeBlocking(() -> jobs.expiry().returnLease(back.jobId(), back.fencingToken(), clock.instant(), "returned unstarted by a draining agent"), false)
          .onSuccess(
              returned -> {
                returned.ifPresent(e -> LOG.info("job={} lease={} returned unstarted by device={}: back in the queue", e.jobId(), e.fencingToken(), back.deviceId()));
                board.release(back.deviceId(), back.jobId(), back.fencingToken());
                dispatcher.kick();
              });
    }

    private void onStarted(AgentJobStarted s) {
      workers
          .executeBlocking(() -> jobs.reports().markStarted(s.jobId(), s.fencingToken(), agentId, s.deviceId(), clock.instant(), businessClock.instant(), leaseFor), false)
          .onSuccess(
              ok -> {
                if (!ok) {
                  LOG.warn("job={} lease={} start refused: lease not current", s.jobId(), s.fencingToken());
                  send(new ControllerLeaseRevoked(s.jobId(), s.fencingToken(), "lease is no longer current"));
                }
              });
    }

    private void onReport(AgentJobReport r) {
      workers
          .executeBlocking(
              () -> {
                String shot = r.screenshotPng() == null ? null : screenshots.save(r.jobId(), r.fencingToken(), r.screenshotPng());
                return jobs.reports().applyReport(agentId, r, shot, clock.instant(), businessClock.instant(), maxAttempts);
              },
              false)
          // Acknowledged only once on disk: an acknowledged report is gone from the agent's outbox.
          .compose(verdict -> durable.flushed().map(verdict))
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  // Not acknowledged: the agent keeps the report and sends it again.
                  LOG.error("job={} report={} could not be stored", r.jobId(), r.reportId(), ar.cause());
                  return;
                }
                var verdict = ar.result();
                LOG.info(
                    "job={} lease={} device={} report {} -> {}{}",
                    r.jobId(), r.fencingToken(), r.deviceId(), r.outcome(),
                    verdict.accepted() ? verdict.newState() : "refused",
                    verdict.reason() == null ? "" : " (" + verdict.reason() + ")");
                if (verdict.accountStatus() != null) {
                  metrics.count(verdict.accountId(), r.riskSignal());
                  LOG.warn("ALERT job={} device={} saw risk state {}: account {} now {}", r.jobId(), r.deviceId(), r.riskSignal(), verdict.accountId(), verdict.accountStatus());
                }
                send(new ControllerReportAck(r.reportId(), r.jobId(), verdict.accepted(), verdict.reason()));
                if (verdict.heldGroup() != null) {
                  // The group's problem, not the device's: it goes on with other groups.
                  groupAlert(verdict.accountId(), verdict.heldGroup(), r);
                } else if (verdict.accepted() && verdict.accountId() != null && r.riskSignal() == null) {
                  // Risk states are the account's trouble, not the device's; they do not count here.
                  board.recordOutcome(r.deviceId(), r.outcome() == Outcome.SUCCEEDED, r.failedStep() + ": " + r.error())
                      .ifPresent(why -> {
                        alert(verdict.accountId(), r.deviceId(), "device:unhealthy", why);
                        send(new ControllerDeviceHealth(r.deviceId(), false, why));
                      });
                }
                board.release(r.deviceId(), r.jobId(), r.fencingToken());
                dispatcher.kick();
              });
    }

    private void groupAlert(String accountId, String groupId, AgentJobReport r) {
      String detail = "group " + groupId + " not found by device " + r.deviceId() + " (job " + r.jobId() + ", step " + r.failedStep() + ": " + r.error()
          + "); its jobs are held until it is renamed, retried or confirmed gone";
      LOG.warn("ALERT group={} account={} group:unreachable: {}", groupId, accountId, detail);
      workers.executeBlocking(() -> {
        alerts.raise(accountId, "group:unreachable", detail, r.jobId(), clock.instant());
        return null;
      }, false);
    }

    private void alert(String accountId, String deviceId, String kind, String detail) {
      LOG.warn("ALERT device={} account={} {}: {}", deviceId, accountId, kind, detail);
      workers.executeBlocking(() -> {
        alerts.raise(accountId, kind, "device " + deviceId + ": " + detail, null, clock.instant());
        return null;
      }, false);
    }

    private void refuse(String reason) {
      send(new ControllerRefusal(reason));
      ws.close(CLOSE_REFUSED, reason.length() > 100 ? reason.substring(0, 100) : reason);
    }

    private void onClose() {
      closed = true;
      vertx.cancelTimer(watchdog);
      if (agentId != null) {
        LOG.info("agent={} disconnected", agentId);
        board.removeAgent(agentId, this);
      }
    }
  }
}
