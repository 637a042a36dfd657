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
  private static final long PING_EVERY_MS = 1000;
  private static final long SILENT_AFTER_MS = 4000;
  private static final long HANDSHAKE_TIMEOUT_MS = 8000;

  /** What the link hears from the controller. */
  public interface Listener {
    void onOffer(ControllerJobOffer offer);

    void onRevoked(ControllerLeaseRevoked revoked);

    /** The controller's view of a device's health changed (unhealthy: repair it). */
    void onDeviceHealth(ControllerDeviceHealth health);

    /** The controller asks an idle device to read new messages. */
    void onListen(com.wecomrpa.protocol.ControllerListen listen);
  }

  private final Vertx vertx;
  private final Context context;
  private final List<String> urls;
  /** Which of {@link #urls} the link tries now; moves on when one fails or goes silent. */
  private int current;
  private long pingTimer = -1;
  private long lastHeardNanos;
  private final Supplier<AgentHello> hello;
  private final Supplier<List<LeaseRef>> activeLeases;
  private final Listener listener;
  private final WebSocketClient client;
  /** Reports and heard messages not yet acknowledged, by their kept id. */
  private final Map<String, Message> outbox = new LinkedHashMap<>();
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
      Vertx vertx, List<String> urls, java.nio.file.Path caFile, String agentId, Supplier<AgentHello> hello, Supplier<List<LeaseRef>> activeLeases, Listener listener,
      ReportOutbox disk) {
    this.vertx = vertx;
    this.disk = disk;
    for (Message m : disk.pending()) {
      outbox.put(((com.wecomrpa.protocol.Kept) m).keptId(), m);
    }
    this.context = vertx.getOrCreateContext();
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("at least one controller URL is required");
    }
    this.urls = List.copyOf(urls);
    // Agents of a farm spread over the controllers of a cluster, each starting at its own.
    this.current = Math.floorMod(agentId.hashCode(), urls.size());
    this.hello = hello;
    this.activeLeases = activeLeases;
    this.listener = listener;
    // wss:// is verified against the given CA (else the system trust store) and the URL's host; there is no "trust all".
    WebSocketClientOptions o = new WebSocketClientOptions().setMaxMessageSize(16 << 20).setMaxFrameSize(1 << 20).setConnectTimeout(5000)
        .setVerifyHost(true).setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"));
    if (caFile != null) {
      o.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(caFile.toString()));
    }
    this.client = vertx.createWebSocketClient(o);
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
  public <M extends Message & com.wecomrpa.protocol.Kept> void report(M report) {
    disk.put(report);
    context.runOnContext(
        v -> {
          if (stopped) {
            return;
          }
          outbox.put(report.keptId(), report);
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
    return outbox.values().stream().filter(AgentJobReport.class::isInstance).map(AgentJobReport.class::cast).toList();
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
          vertx.cancelTimer(pingTimer);
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
    String url = urls.get(current);
    // A frozen controller accepts the TCP connection (the kernel does) but never answers the
    // upgrade: an attempt that has no answer in time is given up and the next controller tried.
    Promise<WebSocket> attempt = Promise.promise();
    long giveUp = vertx.setTimer(HANDSHAKE_TIMEOUT_MS, t -> attempt.tryFail("no answer to the WebSocket upgrade in " + HANDSHAKE_TIMEOUT_MS + "ms"));
    client
        .connect(new WebSocketConnectOptions().setAbsoluteURI(url))
        .onComplete(ar -> {
          vertx.cancelTimer(giveUp);
          if (ar.succeeded() && !attempt.tryComplete(ar.result())) {
            ar.result().close(); // answered after we gave up on it
          } else if (ar.failed()) {
            attempt.tryFail(ar.cause());
          }
        });
    attempt.future()
        .onSuccess(this::opened)
        .onFailure(
            e -> {
              String untrusted = untrusted(e);
              if (untrusted != null && !firstWelcome.future().isComplete()) {
                // Never welcomed: a certificate that does not check out is a configuration to fix, not a network blip.
                LOG.error("refusing the controller at {}: {}", url, untrusted);
                stopped = true;
                firstWelcome.tryFail("refusing the controller at " + url + ": " + untrusted);
                return;
              }
              LOG.warn("cannot reach controller at {}: {}; trying {} in {}ms", url, untrusted != null ? untrusted : e.getMessage(), nextUrl(), backoffMs);
              retry();
            });
  }

  /** Why a TLS handshake failed on the certificate (untrusted issuer, wrong host), or null for any other failure. */
  static String untrusted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("PKIX path") || m.contains("unable to find valid certification path") || t instanceof java.security.cert.CertPathBuilderException) {
        return "its certificate is not signed by a trusted CA (give the CA with --ca-file): " + m;
      }
      if (m.contains("No subject alternative") || m.contains("No name matching")) {
        return "its certificate does not match the host name: " + m;
      }
      if (t instanceof java.security.cert.CertificateException) {
        return "its certificate was refused: " + m;
      }
    }
    return null;
  }

  /** Moves to the next controller of the list and says which. */
  private String nextUrl() {
    current = (current + 1) % urls.size();
    return urls.get(current);
  }

  private void opened(WebSocket ws) {
    socket = ws;
    lastHeardNanos = System.nanoTime();
    ws.textMessageHandler(text -> {
      lastHeardNanos = System.nanoTime();
      onText(text);
    });
    ws.pongHandler(b -> lastHeardNanos = System.nanoTime());
    // A controller that stops answering (frozen, cut off) without closing the socket is left after
    // a few unanswered pings: the agent moves to the next controller with its leases and reports.
    pingTimer = vertx.setPeriodic(PING_EVERY_MS, t -> {
      if (System.nanoTime() - lastHeardNanos > SILENT_AFTER_MS * 1_000_000L) {
        LOG.warn("controller at {} silent for {}ms; leaving it", urls.get(current), SILENT_AFTER_MS);
        vertx.cancelTimer(pingTimer);
        ws.close((short) 1001, "controller silent");
        if (socket == ws) {
          // close() waits for the frozen side's answer; do not wait for it.
          closed(ws);
        }
      } else {
        ws.writePing(io.vertx.core.buffer.Buffer.buffer("ping"));
      }
    });
    ws.closeHandler(v -> closed(ws));
    ws.writeTextMessage(WireCodec.encode(hello.get()));
  }

  private void closed(WebSocket ws) {
    if (socket != ws) {
      return; // already handled
    }
    socket = null;
    welcomed = false;
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(pingTimer);
    if (!stopped && !firstWelcome.future().failed()) {
      // In a cluster the next node is as good as this one, and this one may be dying or not ready.
      String from = urls.get(current);
      String to = urls.size() > 1 ? nextUrl() : from;
      LOG.warn("controller connection to {} closed; reconnecting to {} in {}ms", from, to, backoffMs);
      retry();
    }
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
      LOG.info("connected to controller as {}; {} reports to re-send ({})", w.agentId(), outbox.size(), urls.get(current));
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
    } else if (m instanceof com.wecomrpa.protocol.ControllerListen listen) {
      listener.onListen(listen);
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
