package com.wecomrpa.agent.link;

import com.wecomrpa.protocol.AgentDraining;
import com.wecomrpa.protocol.AgentHeartbeat;
import com.wecomrpa.protocol.AgentLeaseReturned;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.AgentJobStarted;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.AgentDeviceHealth;
import com.wecomrpa.protocol.AgentScriptRequest;
import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerLeaseRevoked;
import com.wecomrpa.protocol.ControllerScriptBundle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import com.wecomrpa.protocol.ControllerRefusal;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.LeaseRef;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to its controller. Reconnects with jittered exponential backoff; keeps
 * every report until the controller acknowledges it and sends the rest again after a reconnect.
 * All state lives on one Vert.x context; device threads hand their messages over to it.
 */
public final class ControllerLink {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerLink.class);
  private static final long MIN_BACKOFF_MS = 200;
  private static final long MAX_BACKOFF_MS = 5000;

  /** What the link hears from the controller. */
  public interface Listener {
    void onOffer(ControllerJobOffer offer);

    void onRevoked(ControllerLeaseRevoked revoked);

    /** The controller's view of a device's health changed (unhealthy: repair it). */
    void onDeviceHealth(ControllerDeviceHealth health);
  }

  private final Vertx vertx;
  private final Context context;
  private final String url;
  private final Supplier<AgentHello> hello;
  private final Supplier<List<LeaseRef>> activeLeases;
  private final Listener listener;
  private final WebSocketClient client;
  private final Map<String, AgentJobReport> outbox = new LinkedHashMap<>();
  private final ReportOutbox disk;
  private final Promise<Void> firstWelcome = Promise.promise();
  private final Map<String, List<CompletableFuture<ControllerScriptBundle>>> scriptRequests = new HashMap<>();
  private WebSocket socket;
  private boolean welcomed;
  private boolean stopped;
  private long backoffMs = MIN_BACKOFF_MS;
  private long heartbeatTimer = -1;

  /** {@code disk} keeps reports across crashes; those found there at start are sent after welcome. */
  public ControllerLink(
      Vertx vertx, String url, Supplier<AgentHello> hello, Supplier<List<LeaseRef>> activeLeases, Listener listener, ReportOutbox disk) {
    this.vertx = vertx;
    this.disk = disk;
    for (AgentJobReport r : disk.pending()) {
      outbox.put(r.reportId(), r);
    }
    this.context = vertx.getOrCreateContext();
    this.url = url;
    this.hello = hello;
    this.activeLeases = activeLeases;
    this.listener = listener;
    this.client =
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 << 20).setMaxFrameSize(1 << 20).setConnectTimeout(5000));
  }

  /** Connects; completes on the first welcome, fails if the controller refuses this agent. */
  public Future<Void> start() {
    context.runOnContext(v -> connect());
    return firstWelcome.future();
  }

  /** Tells the controller to offer nothing more; completes once said (or if not connected). */
  public Future<Void> drain(String reason) {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      if (socket != null && welcomed) {
        socket.writeTextMessage(WireCodec.encode(new AgentDraining(reason))).onComplete(ar -> p.tryComplete());
      } else {
        p.tryComplete();
      }
    });
    return p.future();
  }

  /** Hands back a lease that will not be started. */
  public void returnLease(ControllerJobOffer offer) {
    context.runOnContext(v -> send(new AgentLeaseReturned(offer.jobId(), offer.fencingToken(), offer.deviceId())));
  }

  public void started(ControllerJobOffer offer) {
    context.runOnContext(v -> send(new AgentJobStarted(offer.jobId(), offer.fencingToken(), offer.deviceId())));
  }

  /**
   * Keeps the report until acknowledged, and sends it now if connected. Written to disk first, on
   * the caller's (device) thread, so a crash after this returns cannot lose it.
   */
  public void report(AgentJobReport report) {
    disk.put(report);
    context.runOnContext(
        v -> {
          if (stopped) {
            return;
          }
          outbox.put(report.reportId(), report);
          send(report);
        });
  }

  /**
   * Asks the controller for a script set version; completes with the bundle (its {@code error} set
   * if the controller has none). Asked again on reconnect if the link dropped meanwhile.
   */
  public CompletableFuture<ControllerScriptBundle> requestScripts(String client, String version) {
    var f = new CompletableFuture<ControllerScriptBundle>();
    context.runOnContext(v -> {
      String key = client + "@" + version;
      List<CompletableFuture<ControllerScriptBundle>> waiting = scriptRequests.computeIfAbsent(key, k -> new ArrayList<>());
      waiting.add(f);
      if (waiting.size() == 1) {
        send(new AgentScriptRequest(client, version));
      }
    });
    return f;
  }

  /** Says a device the controller marked unhealthy works again. */
  public void deviceHealthy(String deviceId, String detail) {
    context.runOnContext(v -> send(new AgentDeviceHealth(deviceId, true, detail)));
  }

  /** The reports still waiting for an acknowledgement. Call on the link's context (as hello is built). */
  public List<AgentJobReport> unacknowledgedReports() {
    return List.copyOf(outbox.values());
  }

  /** Reports not yet acknowledged. */
  public Future<Integer> unacknowledged() {
    Promise<Integer> p = Promise.promise();
    context.runOnContext(v -> p.complete(outbox.size()));
    return p.future();
  }

  public Future<Void> stop() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(
        v -> {
          stopped = true;
          vertx.cancelTimer(heartbeatTimer);
          (socket == null ? Future.<Void>succeededFuture() : socket.close())
              .eventually(client::close)
              .onComplete(ar -> p.complete());
        });
    return p.future();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    client
        .connect(new WebSocketConnectOptions().setAbsoluteURI(url))
        .onSuccess(this::opened)
        .onFailure(
            e -> {
              LOG.warn("cannot reach controller at {}: {}; retrying in {}ms", url, e.getMessage(), backoffMs);
              retry();
            });
  }

  private void opened(WebSocket ws) {
    socket = ws;
    ws.textMessageHandler(this::onText);
    ws.closeHandler(
        v -> {
          socket = null;
          welcomed = false;
          vertx.cancelTimer(heartbeatTimer);
          if (!stopped && !firstWelcome.future().failed()) {
            LOG.warn("controller connection closed; reconnecting in {}ms", backoffMs);
            retry();
          }
        });
    ws.writeTextMessage(WireCodec.encode(hello.get()));
  }

  private void retry() {
    long delay = backoffMs + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    vertx.setTimer(delay, t -> connect());
  }

  private void onText(String text) {
    Message m;
    try {
      m = WireCodec.decode(text);
    } catch (WireCodec.MalformedMessageException e) {
      LOG.error("controller sent a message this agent cannot read: {}", e.getMessage());
      return;
    }
    if (m instanceof ControllerWelcome w) {
      welcomed = true;
      backoffMs = MIN_BACKOFF_MS;
      LOG.info("connected to controller as {}; {} reports to re-send", w.agentId(), outbox.size());
      outbox.values().forEach(this::send);
      scriptRequests.keySet().forEach(k -> send(new AgentScriptRequest(k.substring(0, k.indexOf('@')), k.substring(k.indexOf('@') + 1))));
      heartbeatTimer = vertx.setPeriodic(w.heartbeatMillis(), t -> send(new AgentHeartbeat(activeLeases.get())));
      firstWelcome.tryComplete();
    } else if (m instanceof ControllerRefusal r) {
      LOG.error("controller refused this agent: {}", r.reason());
      stopped = true;
      firstWelcome.tryFail("controller refused this agent: " + r.reason());
    } else if (m instanceof ControllerJobOffer offer) {
      listener.onOffer(offer);
    } else if (m instanceof ControllerReportAck ack) {
      outbox.remove(ack.reportId());
      // Off the event loop: deleting a file is I/O.
      vertx.executeBlocking(() -> {
        disk.remove(ack.reportId());
        return null;
      });
      if (!ack.accepted()) {
        LOG.warn("job={} report refused by controller: {}", ack.jobId(), ack.reason());
      }
    } else if (m instanceof ControllerLeaseRevoked revoked) {
      listener.onRevoked(revoked);
    } else if (m instanceof ControllerScriptBundle bundle) {
      var waiting = scriptRequests.remove(bundle.client() + "@" + bundle.version());
      if (waiting != null) {
        waiting.forEach(f -> f.complete(bundle));
      }
    } else if (m instanceof ControllerDeviceHealth health) {
      listener.onDeviceHealth(health);
    }
  }

  private void send(Message m) {
    if (socket != null && (welcomed || m instanceof AgentHello)) {
      socket.writeTextMessage(WireCodec.encode(m));
    }
  }
}
