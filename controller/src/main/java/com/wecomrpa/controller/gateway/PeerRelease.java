package com.wecomrpa.controller.gateway;

import com.wecomrpa.protocol.Release;
import io.vertx.core.MultiMap;
import java.util.Optional;

/**
 * An agent's protocol and release, from the headers of its WebSocket upgrade. An agent from before
 * protocol numbers sends none: protocol 1, release unknown.
 */
record PeerRelease(int protocol, int oldest, String release) {
  static PeerRelease of(MultiMap headers) {
    int protocol = Release.protocolOf(headers.get(Release.PROTOCOL_HEADER));
    String oldest = headers.get(Release.OLDEST_HEADER);
    String release = headers.get(Release.RELEASE_HEADER);
    return new PeerRelease(protocol, oldest == null ? protocol : Release.protocolOf(oldest),
        release == null || release.isBlank() ? "a release before protocol numbers" : release);
  }

  /**
   * Why this controller and that agent cannot talk, naming both releases and which to upgrade; empty
   * when they can (their protocol ranges overlap).
   */
  Optional<String> incompatibility() {
    Release here = Release.current();
    if (protocol < Release.OLDEST_PROTOCOL) {
      return Optional.of("this agent (wecom-rpa " + release + ", protocol " + protocol + ") is too old for this controller (wecom-rpa " + here.describe()
          + ", protocols " + Release.OLDEST_PROTOCOL + " to " + Release.PROTOCOL + "): upgrade the agent to wecom-rpa " + here.version());
    }
    if (oldest > Release.PROTOCOL) {
      return Optional.of("this agent (wecom-rpa " + release + ", protocols " + oldest + " to " + protocol + ") is too new for this controller (wecom-rpa "
          + here.describe() + ", protocol " + Release.PROTOCOL + "): upgrade the controller to wecom-rpa " + release + " first");
    }
    return Optional.empty();
  }
}
