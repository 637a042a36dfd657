package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.access.JdbcTokenStore;
import com.wecomrpa.controller.access.LoginThrottle;
import com.wecomrpa.controller.caller.Role;
import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.HeldLease;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's hello: its token (the configured one, or an agent token issued through the API, which
 * may name the devices it covers), its devices, and the leases it still holds, settled (and on disk)
 * before its devices are registered and it is welcomed.
 */
public final class HelloHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HelloHandler.class);

  private final WorkerExecutor workers;
  private final JdbcTokenStore tokens;
  private final byte[] agentToken;
  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final Jobs jobs;
  private final GroupCommit durable;
  private final GatewayAlerts alerts;
  private final Clock clock;
  private final Clock businessClock;
  private final GatewayTimings timings;

  private final io.vertx.core.Vertx vertx;
  private final LoginThrottle throttle;

  public HelloHandler(io.vertx.core.Vertx vertx, LoginThrottle throttle, WorkerExecutor workers, JdbcTokenStore tokens, String agentToken, DeviceBoard board,
      Dispatcher dispatcher, Jobs jobs, GroupCommit durable, GatewayAlerts alerts, Clock clock, Clock businessClock, GatewayTimings timings) {
    this.vertx = vertx;
    this.throttle = throttle;
    this.workers = workers;
    this.tokens = tokens;
    this.agentToken = agentToken.getBytes(StandardCharsets.UTF_8);
    this.board = board;
    this.dispatcher = dispatcher;
    this.jobs = jobs;
    this.durable = durable;
    this.alerts = alerts;
    this.clock = clock;
    this.businessClock = businessClock;
    this.timings = timings;
  }

  void onHello(AgentConnection conn, AgentHello hello) {
    String address = conn.remoteHost();
    LoginThrottle.Verdict v = throttle.check(address);
    if (v.locked()) {
      conn.refuse("too many bad tokens from " + address + "; try again in " + Math.max(1, v.retryAfter().toSeconds()) + " s");
      return;
    }
    byte[] given = hello.token() == null ? new byte[0] : hello.token().getBytes(StandardCharsets.UTF_8);
    if (MessageDigest.isEqual(given, agentToken)) {
      welcome(conn, hello, Caller.CONFIGURED_AGENT);
      return;
    }
    // Not the configured token: perhaps an agent token issued through the API.
    workers
        .executeBlocking(() -> tokens.authenticate(hello.token()), false)
        .onSuccess(
            caller -> {
              if (caller.isEmpty() || caller.get().role() != Role.AGENT) {
                LOG.warn("agent hello refused from {}: bad token", conn.remoteAddress());
                LoginThrottle.Verdict failed = throttle.failed(address, "agent gateway");
                if (failed.locked()) {
                  conn.refuse("too many bad tokens from " + address + "; try again in " + Math.max(1, failed.retryAfter().toSeconds()) + " s");
                  return;
                }
                long hold = failed.retryAfter().toMillis();
                if (hold == 0) {
                  conn.refuse("invalid agent token");
                } else {
                  vertx.setTimer(hold, t -> conn.refuse("invalid agent token"));
                }
                return;
              }
              throttle.succeeded(address);
              welcome(conn, hello, caller.get());
            })
        .onFailure(e -> conn.refuse("cannot check the token now"));
  }

  private void welcome(AgentConnection conn, AgentHello hello, Caller caller) {
    var incompatible = conn.peer().incompatibility();
    if (incompatible.isPresent()) {
      LOG.warn("agent={} refused: {}", hello.agentId(), incompatible.get());
      conn.refuse(incompatible.get());
      return;
    }
    if (hello.agentId() == null || hello.agentId().isBlank() || hello.devices() == null) {
      conn.refuse("agent.hello needs agentId and devices");
      return;
    }
    if (!caller.mayBeAgent(hello.agentId())) {
      LOG.warn("agent={} refused: token {} speaks for agent {} only", hello.agentId(), caller.tokenId(), caller.agentId());
      conn.refuse("this agent token is for agent " + caller.agentId() + ", not " + hello.agentId());
      return;
    }
    var foreign = hello.devices().stream().filter(d -> !caller.mayUseDevice(d.id())).findFirst();
    if (foreign.isPresent()) {
      LOG.warn("agent={} refused: token {} does not cover device {}", hello.agentId(), caller.tokenId(), foreign.get().id());
      conn.refuse("this agent token does not cover device " + foreign.get().id());
      return;
    }
    var taken = board.conflictingDevice(hello.agentId(), hello.devices());
    if (taken.isPresent()) {
      conn.refuse("device " + taken.get() + " is already connected through another agent");
      return;
    }
    List<HeldLease> held = hello.held() == null ? List.of() : hello.held();
    String id = hello.agentId();
    // What the agent holds is settled before its devices are registered, so nothing is offered
    // to them until a lease the controller lost in a crash has been adopted, not granted again.
    workers
        .executeBlocking(() -> jobs.reports().reconcile(id, held, clock.instant(), businessClock.instant(), timings.leaseFor()), false)
        .compose(standing -> held.isEmpty() ? Future.succeededFuture(standing) : durable.flushed().map(standing))
        .onSuccess(standing -> {
          if (conn.closed()) {
            return;
          }
          conn.welcomed(id, caller.tokenId());
          board.register(id, hello.devices(), standing.stream().map(HeldLease::ref).toList(), conn);
          conn.send(conn.peer().protocol() >= 2
              ? new ControllerWelcome(id, timings.heartbeatEvery().toMillis(), timings.leaseFor().toMillis(), com.wecomrpa.protocol.Release.PROTOCOL,
                  com.wecomrpa.protocol.Release.current().describe())
              : new ControllerWelcome(id, timings.heartbeatEvery().toMillis(), timings.leaseFor().toMillis()));
          LOG.info("agent={} connected with {} devices from {}; {} held leases, {} stand", id, hello.devices().size(), conn.remoteAddress(),
              held.size(), standing.size());
          for (var d : hello.devices()) {
            // A device still unhealthy from before a reconnect is repaired by this agent, not forgotten.
            board.unhealthyReason(d.id()).ifPresent(why -> conn.send(new ControllerDeviceHealth(d.id(), false, why)));
            board.assignment(d.id()).filter(a -> !a.runnable()).ifPresent(a -> alerts.device(d.accountId(), d.id(), "device:unsupported", a.problem()));
          }
          dispatcher.kick();
        })
        .onFailure(e -> {
          // Not a refusal (that would stop the agent for good): it reconnects and says hello again.
          LOG.error("agent={} hello: cannot settle its held leases now; closing so it tries again", id, e);
          conn.drop();
        });
  }
}
