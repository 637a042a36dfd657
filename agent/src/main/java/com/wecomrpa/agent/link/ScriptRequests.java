package com.wecomrpa.agent.link;

import com.wecomrpa.protocol.AgentScriptRequest;
import com.wecomrpa.protocol.ControllerScriptBundle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Script sets asked of the controller and not yet answered: one request per client and version
 * however many devices wait for it, asked again after a reconnect. Used on the link's context.
 */
final class ScriptRequests {
  private final Map<String, List<CompletableFuture<ControllerScriptBundle>>> waiting = new HashMap<>();

  /** Adds a waiter; returns the request to send when it is the first for this version, else null. */
  AgentScriptRequest ask(String client, String version, CompletableFuture<ControllerScriptBundle> answer) {
    List<CompletableFuture<ControllerScriptBundle>> w = waiting.computeIfAbsent(client + "@" + version, k -> new ArrayList<>());
    w.add(answer);
    return w.size() == 1 ? new AgentScriptRequest(client, version) : null;
  }

  /** Every request still unanswered, to send again on a new connection. */
  List<AgentScriptRequest> unanswered() {
    return waiting.keySet().stream().map(k -> new AgentScriptRequest(k.substring(0, k.indexOf('@')), k.substring(k.indexOf('@') + 1))).toList();
  }

  void answered(ControllerScriptBundle bundle) {
    var w = waiting.remove(bundle.client() + "@" + bundle.version());
    if (w != null) {
      w.forEach(f -> f.complete(bundle));
    }
  }
}
