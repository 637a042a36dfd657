package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.rollout.JdbcScriptStore;
import com.wecomrpa.protocol.AgentScriptRequest;
import com.wecomrpa.protocol.ControllerScriptBundle;
import io.vertx.core.WorkerExecutor;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves a script set version an agent asks for (over its own connection: no second credential). */
public final class ScriptHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptHandler.class);

  private final WorkerExecutor workers;
  private final JdbcScriptStore scripts;

  public ScriptHandler(WorkerExecutor workers, JdbcScriptStore scripts) {
    this.workers = workers;
    this.scripts = scripts;
  }

  void onRequest(AgentConnection conn, AgentScriptRequest req) {
    workers
        .executeBlocking(() -> scripts.find(req.client(), req.version()), false)
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().isPresent()) {
            conn.send(new ControllerScriptBundle(req.client(), req.version(), ar.result().get().files(), null));
            LOG.info("agent={} fetched script set {}@{}", conn.agentId(), req.client(), req.version());
          } else {
            conn.send(new ControllerScriptBundle(req.client(), req.version(), Map.of(),
                ar.failed() ? "cannot read script set now" : "no script set " + req.client() + "@" + req.version()));
          }
        });
  }
}
