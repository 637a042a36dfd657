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
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to its controller. Reconnects with jittered exponential backoff; keeps
 * every report until the controller acknowledges it and sends it again: after a reconnect, soon
 * after the controller says it could not store it, and after a silence on the same connection.
 * All state lives on one Vert.x context; device threads hand their messages over to it.
 */
public final class ControllerLink {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerLink.class);
  private static final long PING_EVERY_MS = 1000;
  private static final long SILENT_AFTER_MS = 4000;
  private static final long HANDSHAKE_TIMEOUT_MS = 8000;

  private final Vertx vertx;
  private final Context context;
  private final Failover failover;
  private long pingTimer = -1;
  private long lastHeardNanos;
  private final Supplier<AgentHello> hello;
  private final Supplier<List<LeaseRef>> activeLeases;
  private final LinkListener listener;
  private final WebSocketClient client;
  private final KeptMessages kept;
  private final Promise<Void> firstWelcome = Promise.promise();
  private final ScriptRequests scripts = new ScriptRequests();
  private WebSocket socket;
  private boolean welcomed;
  private boolean stopped;
  private long heartbeatTimer = -1;
  private long resendTimer = -1;
  /** How often kept messages are looked at for sending again. */
  private static final long RESEND_CHECK_MS = 100;

  /** {@code disk} keeps reports across crashes; those found there at start are sent after welcome. */
  public ControllerLink(
      Vertx vertx, List<String> urls, java.nio.file.Path caFile, String agentId, Supplier<AgentHello> hello, Supplier<List<LeaseRef>> activeLeases, LinkListener listener,
      ReportOutbox disk) {
    this(vertx, urls, caFile, agentId, hello, activeLeases, listener, disk, new java.util.SplittableRandom());
  }

  /** As above, drawing the reconnect jitter from {@code random}. */
  public ControllerLink(
      Vertx vertx, List<String> urls, java.nio.file.Path caFile, String agentId, Supplier<AgentHello> hello, Supplier<List<LeaseRef>> activeLeases, LinkListener listener,
      ReportOutbox disk, java.util.random.RandomGenerator random) {
    this.vertx = vertx;
    this.kept = new KeptMessages(disk);
    this.context = vertx.getOrCreateContext();
    this.failover = new Failover(urls, agentId, random);
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
    context.runOnContext(v -> {
      resendTimer = vertx.setPeriodic(RESEND_CHECK_MS, t -> resendDue());
      connect();
    });
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
   * the caller's (device) thread, so a crash after this returns cannot lose it. A disk that takes no
   * write (full) does not hold the report back: it waits in memory only, and an agent that dies
   * before the acknowledgement leaves the job to be verified in the chat, as any unreported job.
   */
  public <M extends Message & com.wecomrpa.protocol.Kept> void report(M report) {
    try {
      kept.store(report);
    } catch (java.io.UncheckedIOException full) {
      LOG.error("report {} not kept on disk ({}): sent from memory until the controller acknowledges it", report.keptId(), full.getMessage());
    }
    context.runOnContext(
        v -> {
          if (stopped) {
            return;
          }
          kept.keep(report);
          sendKept(report);
        });
  }

  /**
   * Asks the controller for a script set version; completes with the bundle (its {@code error} set
   * if the controller has none). Asked again on reconnect if the link dropped meanwhile.
   */
  public CompletableFuture<ControllerScriptBundle> requestScripts(String client, String version) {
    var f = new CompletableFuture<ControllerScriptBundle>();
    context.runOnContext(v -> {
      AgentScriptRequest first = scripts.ask(client, version, f);
      if (first != null) {
        send(first);
      }
    });
    return f;
  }

  /** Says a device the controller marked unhealthy works again. */
  /** A watched screen's picture: sent if connected, never kept (the next one follows). */
  public void screen(com.wecomrpa.protocol.AgentScreen screen) {
    context.runOnContext(v -> send(screen));
  }

  public void deviceHealthy(String deviceId, String detail) {
    context.runOnContext(v -> send(new AgentDeviceHealth(deviceId, true, detail)));
  }

  /** Says a device cannot take jobs for a reason found here (the agent's disk is full). */
  public void deviceUnhealthy(String deviceId, String detail) {
    context.runOnContext(v -> send(new AgentDeviceHealth(deviceId, false, detail)));
  }

  /** The reports still waiting for an acknowledgement. Call on the link's context (as hello is built). */
  public List<AgentJobReport> unacknowledgedReports() {
    return kept.reports();
  }

  /** Reports not yet acknowledged. */
  public Future<Integer> unacknowledged() {
    Promise<Integer> p = Promise.promise();
    context.runOnContext(v -> p.complete(kept.size()));
    return p.future();
  }

  public Future<Void> stop() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(
        v -> {
          stopped = true;
          vertx.cancelTimer(heartbeatTimer);
          vertx.cancelTimer(pingTimer);
          vertx.cancelTimer(resendTimer);
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
    String url = failover.current();
    Handshake.open(vertx, client, url, HANDSHAKE_TIMEOUT_MS)
        .onSuccess(this::opened)
        .onFailure(
            e -> {
              String untrusted = Untrusted.why(e);
              if (untrusted != null && !firstWelcome.future().isComplete()) {
                // Never welcomed: a certificate that does not check out is a configuration to fix, not a network blip.
                LOG.error("refusing the controller at {}: {}", url, untrusted);
                stopped = true;
                firstWelcome.tryFail("refusing the controller at " + url + ": " + untrusted);
                return;
              }
              LOG.warn("cannot reach controller at {}: {}; trying {} in {}ms", url, untrusted != null ? untrusted : e.getMessage(), failover.next(), failover.backoffMs());
              retry();
            });
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
        LOG.warn("controller at {} silent for {}ms; leaving it", failover.current(), SILENT_AFTER_MS);
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
      String from = failover.current();
      String to = failover.afterClose();
      // 1013 (try again later): the controller answered but is not ready; it will be soon.
      Short code = closeCode(ws);
      boolean notReady = code != null && code == (short) 1013;
      long delay = notReady ? failover.notReadyDelayMs() : failover.nextDelayMs();
      LOG.warn("controller connection to {} closed{}; reconnecting to {} in {}ms", from, notReady ? " (not ready)" : "", to, delay);
      vertx.setTimer(delay, t -> connect());
    }
  }

  /** The close frame's status code, or null where there was none (left, or the connection dropped). */
  private static Short closeCode(WebSocket ws) {
    try {
      return ws.closeStatusCode();
    } catch (NullPointerException e) {
      return null; // Vert.x 5.0 unboxes a missing status here instead of returning null
    }
  }

  private void retry() {
    vertx.setTimer(failover.nextDelayMs(), t -> connect());
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
      int theirs = w.protocol() == null ? 1 : w.protocol();
      if (theirs < com.wecomrpa.protocol.Release.OLDEST_PROTOCOL) {
        String why = "the controller (wecom-rpa " + (w.release() == null ? "a release before protocol numbers" : w.release()) + ", protocol " + theirs
            + ") is too old for this agent (wecom-rpa " + com.wecomrpa.protocol.Release.current().describe() + "): upgrade the controller first";
        LOG.error("{}", why);
        stopped = true;
        firstWelcome.tryFail(why);
        socket.close();
        return;
      }
      welcomed = true;
      failover.welcomed();
      LOG.info("connected to controller as {}; {} reports to re-send ({})", w.agentId(), kept.size(), failover.current());
      kept.reconnected();
      kept.all().forEach(this::sendKept);
      scripts.unanswered().forEach(this::send);
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
    } else if (m instanceof com.wecomrpa.protocol.ControllerWatch watch) {
      listener.onWatch(watch);
    } else if (m instanceof ControllerReportAck ack) {
      kept.acknowledged(ack.reportId());
      // Off the event loop: deleting a file is I/O.
      vertx.executeBlocking(() -> {
        kept.forget(ack.reportId());
        return null;
      });
      if (!ack.accepted()) {
        LOG.warn("job={} report refused by controller: {}", ack.jobId(), ack.reason());
      }
    } else if (m instanceof com.wecomrpa.protocol.ControllerNotStored refused) {
      // The controller's database was away: kept, and sent again on this connection soon.
      LOG.warn("controller could not store {} ({}); sending it again in about {}ms", refused.keptId(), refused.reason(), refused.retryAfterMillis());
      kept.refused(refused.keptId(), refused.retryAfterMillis(), System.nanoTime());
    } else if (m instanceof ControllerLeaseRevoked revoked) {
      listener.onRevoked(revoked);
    } else if (m instanceof ControllerScriptBundle bundle) {
      scripts.answered(bundle);
    } else if (m instanceof ControllerDeviceHealth health) {
      listener.onDeviceHealth(health);
    }
  }

  /** A kept message goes out; unanswered, it goes again on this connection (see {@link KeptMessages#sent}). */
  private void sendKept(Message m) {
    if (socket != null && welcomed) {
      kept.sent(((com.wecomrpa.protocol.Kept) m).keptId(), System.nanoTime());
    }
    send(m);
  }

  /** Sends again what waited long enough for an answer, or was refused as not stored. */
  private void resendDue() {
    if (socket != null && welcomed) {
      kept.due(System.nanoTime()).forEach(this::sendKept);
    }
  }

  private void send(Message m) {
    if (socket != null && (welcomed || m instanceof AgentHello)) {
      socket.writeTextMessage(WireCodec.encode(m));
    }
  }
}
