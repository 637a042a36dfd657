package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.access.JdbcTokenStore;
import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.controller.metrics.ControllerMetrics;
import com.wecomrpa.controller.rollout.JdbcScriptStore;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.protocol.AgentDeviceHealth;
import com.wecomrpa.protocol.AgentDraining;
import com.wecomrpa.protocol.AgentHeartbeat;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.AgentJobStarted;
import com.wecomrpa.protocol.AgentLeaseReturned;
import com.wecomrpa.protocol.AgentScriptRequest;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.ServerWebSocket;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' door: reads each message of a connection and routes it to the handler of its
 * concern (hello, leases, reports, devices, scripts). A connection must say hello first; one that
 * goes silent for three heartbeats is dropped (its leases then run out on their own clock).
 */
public final class AgentGateway {
  private static final Logger LOG = LoggerFactory.getLogger(AgentGateway.class);
  /** WebSocket close code for a refused hello (4000-4999 are free for applications). */
  public static final short CLOSE_REFUSED = AgentConnection.CLOSE_REFUSED;

  private final Vertx vertx;
  private final DeviceBoard board;
  private final GatewayTimings timings;
  private final HelloHandler hello;
  private final LeaseHandler leases;
  private final ReportHandler reports;
  private final DeviceHandler devices;
  private final ScriptHandler scripts;
  private final HeardHandler heard;
  private final java.util.Set<AgentConnection> open = new java.util.HashSet<>();
  private java.util.function.BooleanSupplier ready = () -> true;

  /** One handler per concern; see {@link #watchRevocations} for tokens revoked while connected. */
  public AgentGateway(Vertx vertx, DeviceBoard board, GatewayTimings timings, HelloHandler hello, LeaseHandler leases, ReportHandler reports,
      DeviceHandler devices, ScriptHandler scripts, HeardHandler heard) {
    this.vertx = vertx;
    this.board = board;
    this.timings = timings;
    this.hello = hello;
    this.leases = leases;
    this.reports = reports;
    this.devices = devices;
    this.scripts = scripts;
    this.heard = heard;
  }

  /**
   * Every two seconds, closes the connections whose token has been revoked (on any node): the
   * agent reconnects with whatever its token file holds now, and a revoked token is refused.
   */
  public void watchRevocations(WorkerExecutor workers, JdbcTokenStore tokens) {
    vertx.setPeriodic(2000, t -> {
      java.util.Map<String, java.util.List<AgentConnection>> byToken = new java.util.HashMap<>();
      for (AgentConnection c : open) {
        if (c.tokenId() != null && !c.tokenId().equals(com.wecomrpa.controller.caller.Caller.CONFIGURED_AGENT.tokenId())) {
          byToken.computeIfAbsent(c.tokenId(), k -> new java.util.ArrayList<>()).add(c);
        }
      }
      if (byToken.isEmpty()) {
        return;
      }
      workers.executeBlocking(() -> tokens.revokedAmong(byToken.keySet()), false).onSuccess(revoked -> revoked.forEach(id -> byToken.get(id).forEach(c -> {
        LOG.warn("agent={}: its token {} was revoked; closing (it may come back with a new one)", c.agentId(), id);
        c.drop();
      })));
    });
  }

  /** Serves one connection until it closes. */
  public void accept(ServerWebSocket ws) {
    if (!ready.getAsBoolean()) {
      // Rather than guess without its database or cluster: the agent tries its next controller.
      ws.close((short) 1013, "controller not ready");
      return;
    }
    AgentConnection conn = new AgentConnection(ws);
    open.add(conn);
    // An agent that goes silent (no heartbeat for three intervals) is disconnected; its leases
    // then run out on their own clock and its devices take no more offers.
    long silentNanos = timings.heartbeatEvery().multipliedBy(3).toNanos();
    long watchdog =
        vertx.setPeriodic(
            Math.max(100, timings.heartbeatEvery().toMillis()),
            t -> {
              if (conn.silentFor(silentNanos)) {
                LOG.warn("agent={} silent for {}; closing", conn.agentId(), timings.heartbeatEvery().multipliedBy(3));
                conn.drop();
              }
            });
    ws.textMessageHandler(text -> {
      conn.heard();
      route(conn, text);
    });
    ws.exceptionHandler(e -> LOG.debug("agent={} socket error: {}", conn.agentId(), e.getMessage()));
    ws.closeHandler(v -> {
      open.remove(conn);
      conn.markClosed();
      vertx.cancelTimer(watchdog);
      if (conn.agentId() != null) {
        LOG.info("agent={} disconnected", conn.agentId());
        board.removeAgent(conn.agentId(), conn);
      }
    });
  }

  /** Only while {@code ready} holds are agents taken; see {@link #dropAll}. */
  public void onlyWhile(java.util.function.BooleanSupplier ready) {
    this.ready = ready;
  }

  /** Closes every agent connection (this node lost its database or cluster): agents reconnect elsewhere. */
  public void dropAll() {
    new java.util.ArrayList<>(open).forEach(AgentConnection::drop);
  }

  private void route(AgentConnection conn, String text) {
    Message m;
    try {
      m = WireCodec.decode(text);
    } catch (WireCodec.MalformedMessageException e) {
      conn.refuse("malformed message: " + e.getMessage());
      return;
    }
    if (conn.agentId() == null) {
      if (m instanceof AgentHello h) {
        conn.saidHello();
        hello.onHello(conn, h);
      } else if (conn.hasSaidHello()) {
        // Its hello is still being decided (a bad token is answered late on purpose): what it sends
        // meanwhile (a heartbeat) waits for nothing and is dropped, not taken for a protocol error.
        return;
      } else {
        conn.refuse("the first message must be agent.hello");
      }
      return;
    }
    if (m instanceof AgentHeartbeat hb) {
      leases.onHeartbeat(conn, hb);
    } else if (m instanceof AgentJobStarted s) {
      leases.onStarted(conn, s);
    } else if (m instanceof AgentLeaseReturned back) {
      leases.onReturned(back);
    } else if (m instanceof AgentJobReport r && !ready.getAsBoolean()) {
      // Not ready (its database away): said at once rather than after the pool's wait, so the
      // agent's next try comes soon after the database is back.
      conn.send(new com.wecomrpa.protocol.ControllerNotStored(r.reportId(), "controller not ready", NotStored.RETRY_AFTER_MS));
    } else if (m instanceof com.wecomrpa.protocol.AgentHeard h && !ready.getAsBoolean()) {
      conn.send(new com.wecomrpa.protocol.ControllerNotStored(h.keptId(), "controller not ready", NotStored.RETRY_AFTER_MS));
    } else if (m instanceof AgentJobReport r) {
      reports.onReport(conn, r);
    } else if (m instanceof AgentDraining d) {
      devices.onDraining(conn, d);
    } else if (m instanceof AgentDeviceHealth h) {
      devices.onHealth(conn, h);
    } else if (m instanceof com.wecomrpa.protocol.AgentScreen s) {
      devices.onScreen(conn, s);
    } else if (m instanceof com.wecomrpa.protocol.AgentHeard h) {
      heard.onHeard(conn, h);
    } else if (m instanceof AgentScriptRequest req) {
      scripts.onRequest(conn, req);
    } else {
      LOG.warn("agent={} sent unexpected {}", conn.agentId(), m.getClass().getSimpleName());
    }
  }
}
