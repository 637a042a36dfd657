package com.wecomrpa.bench;

import com.wecomrpa.protocol.AgentHeartbeat;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.DeviceInfo;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An agent with no UI behind it: it speaks the real protocol over a real WebSocket and reports every
 * offer SUCCEEDED at once, so only the control plane is measured. Records when each offer came and
 * how long each report took to be acknowledged (applied and committed).
 */
final class LoadAgent {
  /** Job id to when its offer arrived (System.nanoTime). */
  static final Map<String, Long> OFFERED = new ConcurrentHashMap<>();
  /** Report sent to acknowledgement, nanoseconds. */
  static final ConcurrentLinkedQueue<Long> ACK_NANOS = new ConcurrentLinkedQueue<>();
  static final java.util.concurrent.atomic.AtomicLong ACKED = new java.util.concurrent.atomic.AtomicLong();
  /** When the latest acknowledgement came (System.nanoTime). */
  static final java.util.concurrent.atomic.AtomicLong LAST_ACK = new java.util.concurrent.atomic.AtomicLong();

  private final Vertx vertx;
  private final int port;
  private final String token;
  private final String agentId;
  private final List<DeviceInfo> devices;
  private final Map<String, Long> sentAt = new HashMap<>();
  private final Promise<Void> welcomed = Promise.promise();
  private WebSocket ws;
  private WebSocketClient client;

  LoadAgent(Vertx vertx, int port, String token, String agentId, List<DeviceInfo> devices) {
    this.vertx = vertx;
    this.port = port;
    this.token = token;
    this.agentId = agentId;
    this.devices = devices;
  }

  Future<Void> connect() {
    // Kept in a field: Vert.x closes a client the garbage collector finds unreachable, and with it
    // this agent's connection, in the middle of a run.
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 << 20));
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/agent"))
        .onSuccess(s -> {
          ws = s;
          ws.textMessageHandler(this::onText);
          ws.closeHandler(v -> System.err.println("load agent " + agentId + " disconnected: " + ws.closeStatusCode() + " " + ws.closeReason()));
          ws.exceptionHandler(e -> System.err.println("load agent " + agentId + " socket error: " + e));
          ws.writeTextMessage(WireCodec.encode(new AgentHello(agentId, token, "bench", devices, List.<com.wecomrpa.protocol.HeldLease>of())));
        })
        .onFailure(welcomed::tryFail);
    return welcomed.future();
  }

  private void onText(String text) {
    Message m = WireCodec.decode(text);
    if (m instanceof ControllerJobOffer o) {
      long now = System.nanoTime();
      OFFERED.put(o.jobId(), now);
      String id = UUID.randomUUID().toString();
      sentAt.put(id, now);
      Instant at = Instant.now();
      ws.writeTextMessage(WireCodec.encode(new AgentJobReport(id, o.jobId(), o.fencingToken(), o.deviceId(), Outcome.SUCCEEDED, null, null, null,
          at, at, "bench@1", null, null, null)));
    } else if (m instanceof com.wecomrpa.protocol.ControllerListen l) {
      // A device with nothing unread: the listen is answered at once and the device is free again.
      Instant at = Instant.now();
      ws.writeTextMessage(WireCodec.encode(new com.wecomrpa.protocol.AgentHeard(l.listenId(), l.deviceId(), l.accountId(), at, at, List.of(), null)));
    } else if (m instanceof ControllerReportAck ack) {
      Long t = sentAt.remove(ack.reportId());
      if (t != null) {
        long now = System.nanoTime();
        ACK_NANOS.add(now - t);
        LAST_ACK.set(now);
        ACKED.incrementAndGet();
      }
    } else if (m instanceof ControllerWelcome w) {
      vertx.setPeriodic(w.heartbeatMillis(), t -> ws.writeTextMessage(WireCodec.encode(new AgentHeartbeat(List.of()))));
      welcomed.tryComplete();
    }
  }
}
