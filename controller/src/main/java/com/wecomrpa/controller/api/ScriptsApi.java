package com.wecomrpa.controller.api;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.rollout.JdbcScriptStore;
import com.wecomrpa.controller.rollout.Rollout;
import com.wecomrpa.controller.rollout.ScriptBundle;
import com.wecomrpa.controller.rollout.ScriptRouting;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Script sets served to agents: upload (refused with file and line if it does not parse), list
 * versions with their executions by outcome, roll a version out to a canary share, promote it or
 * roll it back. A change reroutes devices at once; each takes its new version before its next job.
 */
public final class ScriptsApi implements ApiPart {

  record Upload(Map<String, String> files) {}


  record Uploaded(String client, String version, List<String> supports, int flows, String digest) {}

  private final Clock clock;
  private final JdbcScriptStore scripts;
  private final ScriptRouting routing;
  private final Runnable changed;

  public ScriptsApi(Clock clock, JdbcScriptStore scripts, ScriptRouting routing, Runnable changed) {
    this.clock = clock;
    this.scripts = scripts;
    this.routing = routing;
    this.changed = changed;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.post("/scripts").handler(ctx -> {
      Upload up = RequestBodies.read(ctx, Upload.class);
      Caller who = AdminApi.caller(ctx);
      replies.created(ctx, () -> {
        ScriptBundle b = scripts.upload(who, up.files(), clock.instant());
        refresh(b.client());
        return new Uploaded(b.client(), b.version(), b.supports(), (int) b.files().keySet().stream().filter(f -> f.startsWith("flows/")).count(), b.digest());
      });
    });
    r.get("/scripts").handler(ctx -> replies.ok(ctx, () -> {
      Map<String, Object> out = new LinkedHashMap<>();
      for (String client : scripts.clients()) {
        out.put(client, describe(client));
      }
      return out;
    }));
    r.get("/scripts/:client").handler(ctx -> replies.ok(ctx, () -> describe(ctx.pathParam("client"))));
    r.get("/scripts/:client/versions/:version").handler(ctx -> replies.ok(ctx, () -> scripts.find(ctx.pathParam("client"), ctx.pathParam("version"))
        .orElseThrow(() -> Rejected.notFound("version", "no script set " + ctx.pathParam("client") + "@" + ctx.pathParam("version")))));
    r.put("/scripts/:client/rollout").handler(ctx -> {
      JdbcScriptStore.RolloutChange change = RequestBodies.read(ctx, JdbcScriptStore.RolloutChange.class);
      Caller who = AdminApi.caller(ctx);
      replies.ok(ctx, () -> applied(scripts.change(who, ctx.pathParam("client"), change, clock.instant())));
    });
    r.post("/scripts/:client/promote").handler(ctx -> {
      Caller who = AdminApi.caller(ctx);
      String why = RequestBodies.optionalReason(ctx);
      replies.ok(ctx, () -> applied(scripts.promote(who, ctx.pathParam("client"), why, clock.instant())));
    });
    r.post("/scripts/:client/rollback").handler(ctx -> {
      Caller who = AdminApi.caller(ctx);
      String why = RequestBodies.optionalReason(ctx);
      replies.ok(ctx, () -> applied(scripts.rollback(who, ctx.pathParam("client"), why, clock.instant())));
    });
  }

  private Map<String, Object> describe(String client) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rollout", scripts.rollout(client));
    out.put("versions", scripts.versions(client));
    return out;
  }

  private Rollout applied(Rollout r) {
    refresh(r.client());
    return r;
  }

  /**
   * This node's routing and its connected devices learn the change before the reply (a report or a
   * hello that follows is routed by it); {@code changed} does this node's devices at once and has
   * every other node reload and route its own.
   */
  private void refresh(String client) {
    routing.update(scripts.rollout(client), scripts.supportsByVersion(client));
    changed.run();
  }
}
