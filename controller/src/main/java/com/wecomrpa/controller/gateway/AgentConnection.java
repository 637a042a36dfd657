package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.dispatch.AgentLink;
import com.wecomrpa.protocol.ControllerRefusal;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import io.vertx.core.http.ServerWebSocket;

/**
 * One agent's WebSocket as the handlers see it: who it is once welcomed, and how to answer,
 * refuse or drop it. Lives on the controller's event loop.
 */
public final class AgentConnection implements AgentLink {
  /** WebSocket close code for a refused hello (4000-4999 are free for applications). */
  public static final short CLOSE_REFUSED = 4401;

  private final ServerWebSocket ws;
  private String agentId;
  private String tokenId;
  private boolean closed;
  private boolean saidHello;
  private long lastHeard = System.nanoTime();
  private final PeerRelease peer;

  AgentConnection(ServerWebSocket ws) {
    this.ws = ws;
    this.peer = PeerRelease.of(ws.headers());
  }

  /** What the agent said it speaks, in its WebSocket upgrade. */
  PeerRelease peer() {
    return peer;
  }

  /** The agent's id once welcomed; null before. */
  public String agentId() {
    return agentId;
  }

  /** Notes that the agent said hello; its welcome or refusal may still be on its way. */
  void saidHello() {
    saidHello = true;
  }

  /** Whether the agent has said hello (welcomed or not yet decided). */
  boolean hasSaidHello() {
    return saidHello;
  }

  void welcomed(String id, String token) {
    agentId = id;
    tokenId = token;
  }

  /** The id of the token the agent was welcomed with (never the token itself). */
  String tokenId() {
    return tokenId;
  }

  /** Anything the agent says counts as a sign of life. */
  void heard() {
    lastHeard = System.nanoTime();
  }

  @Override
  public long heardMillisAgo() {
    return (System.nanoTime() - lastHeard) / 1_000_000;
  }

  boolean silentFor(long nanos) {
    return System.nanoTime() - lastHeard > nanos;
  }

  boolean closed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }

  @Override
  public String host() {
    return remoteHost();
  }

  /** The peer's address without its port: what failed logins are counted by. */
  String remoteHost() {
    return ws.remoteAddress() == null ? "?" : ws.remoteAddress().hostAddress();
  }

  String remoteAddress() {
    return String.valueOf(ws.remoteAddress());
  }

  @Override
  public boolean send(Message m) {
    if (closed) {
      return false;
    }
    ws.writeTextMessage(WireCodec.encode(m));
    return true;
  }

  /** Says why, then closes with {@link #CLOSE_REFUSED}: the agent stops and does not retry. */
  void refuse(String reason) {
    send(new ControllerRefusal(reason));
    ws.close(CLOSE_REFUSED, reason.length() > 100 ? reason.substring(0, 100) : reason);
  }

  /** Closes without refusing: the agent reconnects and tries again. */
  void drop() {
    ws.close();
  }
}
