package com.wecomrpa.agent.link;

import com.wecomrpa.protocol.Release;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Opens the WebSocket to one controller, or gives up in time. A frozen controller accepts the TCP
 * connection (the kernel does) but never answers the upgrade: an attempt with no answer in time
 * fails, so the link can try the next controller.
 */
final class Handshake {
  private Handshake() {}

  static Future<WebSocket> open(Vertx vertx, WebSocketClient client, String url, long timeoutMs) {
    Promise<WebSocket> attempt = Promise.promise();
    long giveUp = vertx.setTimer(timeoutMs, t -> attempt.tryFail("no answer to the WebSocket upgrade in " + timeoutMs + "ms"));
    client
        .connect(new WebSocketConnectOptions().setAbsoluteURI(url)
            .addHeader(Release.PROTOCOL_HEADER, String.valueOf(Release.PROTOCOL))
            .addHeader(Release.OLDEST_HEADER, String.valueOf(Release.OLDEST_PROTOCOL))
            .addHeader(Release.RELEASE_HEADER, Release.current().describe()))
        .onComplete(ar -> {
          vertx.cancelTimer(giveUp);
          if (ar.succeeded() && !attempt.tryComplete(ar.result())) {
            ar.result().close(); // answered after we gave up on it
          } else if (ar.failed()) {
            attempt.tryFail(ar.cause());
          }
        });
    return attempt.future();
  }
}
