package com.wecomrpa.controller;

import com.wecomrpa.protocol.AgentHeartbeat;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.DeviceInfo;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An agent with no UI: it speaks the real agent protocol over a real WebSocket and does exactly
 * what a test tells it, so lease and fencing rules can be driven step by step.
 */
final class ProtocolAgent implements AutoCloseable {
  private final BlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
  /** Whether a listen is answered at once with nothing heard; a test that answers itself turns it off. */
  volatile boolean answersListens = true;
  final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
  private final WebSocket ws;
  private final java.util.concurrent.ScheduledExecutorService heart =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

  /** Every text the controller sent, as sent: what an agent of an older release would have to read. */
  final BlockingQueue<String> texts = new LinkedBlockingQueue<>();

  private ProtocolAgent(URI uri, java.util.Map<String, String> headers) {
    WebSocket.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().newWebSocketBuilder();
    headers.forEach(builder::header);
    this.ws =
        builder
            .buildAsync(
                uri,
                new WebSocket.Listener() {
                  private final StringBuilder buf = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    buf.append(data);
                    if (last) {
                      texts.add(buf.toString());
                      Message m = WireCodec.decode(buf.toString());
                      buf.setLength(0);
                      if (m instanceof com.wecomrpa.protocol.ControllerListen l && answersListens) {
                        // Its device has nothing unread: a listen is answered at once, as a real agent would.
                        java.time.Instant at = java.time.Instant.now();
                        heart.execute(() -> sendQuietly(new com.wecomrpa.protocol.AgentHeard(l.listenId(), l.deviceId(), l.accountId(), at, at, List.of(), null)));
                      }
                      // The controller's receipt for what was heard is not what a test waits for.
                      if (!(m instanceof com.wecomrpa.protocol.ControllerReportAck ack && ack.reportId().startsWith("heard-"))) {
                        inbox.add(m);
                      }
                    }
                    w.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                    closedWith.complete(statusCode);
                    return null;
                  }

                  @Override
                  public void onError(WebSocket w, Throwable error) {
                    closedWith.complete(-1);
                  }
                })
            .join();
  }

  static ProtocolAgent connect(URI uri, String agentId, String token, String deviceId, String accountId) {
    return connect(uri, agentId, token, new DeviceInfo(deviceId, accountId, "wecom-sim", "sim-1", "none", "wecom-sim@test"));
  }

  static ProtocolAgent connect(URI uri, String agentId, String token, DeviceInfo device) {
    return connect(uri, agentId, token, device, java.util.Map.of());
  }

  /** With these headers on the WebSocket upgrade (none: an agent from before protocol numbers). */
  static ProtocolAgent connect(URI uri, String agentId, String token, DeviceInfo device, java.util.Map<String, String> headers) {
    ProtocolAgent a = new ProtocolAgent(uri, headers);
    a.send(new AgentHello(agentId, token, "test", List.of(device), List.<com.wecomrpa.protocol.HeldLease>of()));
    // Alive, but renewing no lease: a job it holds runs out unless the test renews it.
    a.heart.scheduleAtFixedRate(() -> a.sendQuietly(new AgentHeartbeat(List.of())), 100, 100, TimeUnit.MILLISECONDS);
    return a;
  }

  synchronized void send(Message m) {
    ws.sendText(WireCodec.encode(m), true).join();
  }

  private void sendQuietly(Message m) {
    try {
      send(m);
    } catch (RuntimeException closed) {
      heart.shutdown();
    }
  }

  /** The next message of the given type, skipping others; fails after the timeout. */
  <T extends Message> T next(Class<T> type, long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      Message m;
      try {
        m = left <= 0 ? null : inbox.poll(left, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      if (m == null) {
        throw new AssertionError("no " + type.getSimpleName() + " within " + timeoutMillis + "ms");
      }
      if (type.isInstance(m)) {
        return type.cast(m);
      }
    }
  }

  /** Fails if a message of {@code type} arrives within the time (others are passed over). */
  <T extends Message> void expectNothing(Class<T> type, long millis) {
    long deadline = System.currentTimeMillis() + millis;
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return;
      }
      Message m;
      try {
        m = inbox.poll(left, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      if (type.isInstance(m)) {
        throw new AssertionError("unexpected " + m);
      }
    }
  }

  /** Drops the connection without a word, like a crashed process. */
  void drop() {
    heart.shutdownNow();
    ws.abort();
  }

  @Override
  public void close() {
    drop();
  }
}
