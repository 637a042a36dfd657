package com.wecomrpa.controller.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What one controller tells the others over the (clustered) event bus: work to look at now, scripts
 * that changed, a lease another node ended. Signals only, never state: each node reads the state
 * from the database, so a lost signal costs a sweep's delay, not correctness. On a Vert.x that is
 * not clustered the same calls reach this node alone.
 */
public final class ClusterSignals {
  private static final String KICK_DISPATCH = "wecom-rpa.dispatch.kick";
  private static final String KICK_PLANS = "wecom-rpa.plans.kick";
  private static final String SCRIPTS_CHANGED = "wecom-rpa.scripts.changed";
  private static final String LEASE_ENDED = "wecom-rpa.lease.ended";
  private static final String DEVICES = "wecom-rpa.devices.";
  private static final String DEVICE_ACTION = "wecom-rpa.device-action.";

  /** A lease ended by the node that runs the sweeps; the node holding the device frees it. */
  public record LeaseEnded(String deviceId, String jobId, long fencingToken) {}

  /** An operator's action on one device (drain, repair, resume, release), done by the node holding it. */
  public record DeviceAction(String deviceId, String action, String reason) {}

  /** Every node's devices, and the nodes that did not answer in time. */
  public record DevicesSeen(List<Object> devices, List<String> missing) {}

  private final Vertx vertx;
  private final ClusterView view;

  public ClusterSignals(Vertx vertx, ClusterView view) {
    this.vertx = vertx;
    this.view = view;
  }

  /** Every node runs a dispatch pass soon: new jobs, or a limit or group that changed. */
  public void kickDispatch() {
    vertx.eventBus().publish(KICK_DISPATCH, null);
  }

  /** The node leading the sweeps expands plans soon ({@code rerank}: re-rank every group-day too). */
  public void kickPlans(boolean rerank) {
    vertx.eventBus().publish(KICK_PLANS, rerank);
  }

  /** Every node reloads its script routing from the database. */
  public void scriptsChanged() {
    vertx.eventBus().publish(SCRIPTS_CHANGED, null);
  }

  public void leaseEnded(LeaseEnded ended) {
    vertx.eventBus().publish(LEASE_ENDED, JsonObject.mapFrom(ended));
  }

  /** Registers what this node does on each signal, and how it answers for its own devices. */
  public void listen(Runnable onDispatch, Consumer<Boolean> onPlans, Runnable onScripts, Consumer<LeaseEnded> onLeaseEnded, Supplier<List<?>> devices) {
    vertx.eventBus().<Object>consumer(KICK_DISPATCH, m -> onDispatch.run());
    vertx.eventBus().<Boolean>consumer(KICK_PLANS, m -> onPlans.accept(Boolean.TRUE.equals(m.body())));
    vertx.eventBus().<Object>consumer(SCRIPTS_CHANGED, m -> onScripts.run());
    vertx.eventBus().<JsonObject>consumer(LEASE_ENDED, m -> onLeaseEnded.accept(m.body().mapTo(LeaseEnded.class)));
    vertx.eventBus().<Object>consumer(DEVICES + view.nodeId(), m -> m.reply(new JsonArray(Json.encode(devices.get()))));
  }

  /**
   * How this node carries out a device action: the device's status afterwards, null when the device
   * is not connected here, or a failed future with the reason it was refused.
   */
  public void serveDeviceActions(java.util.function.Function<DeviceAction, Future<?>> handler) {
    vertx.eventBus().<JsonObject>consumer(DEVICE_ACTION + view.nodeId(), m -> handler.apply(m.body().mapTo(DeviceAction.class)).onComplete(ar -> {
      if (ar.failed()) {
        m.fail(409, ar.cause().getMessage());
      } else {
        m.reply(ar.result() == null ? null : new JsonObject(Json.encode(ar.result())));
      }
    }));
  }

  /**
   * Asks every node to carry out {@code action}; the node holding the device answers with its status.
   * Empty when no node holds it; failed (with the holder's reason) when the holder refused.
   */
  public Future<java.util.Optional<Object>> deviceAction(DeviceAction action) {
    List<Future<Object>> asked = askEveryNode(DEVICE_ACTION, view.nodeIds(), JsonObject.mapFrom(action), 10_000);
    return Future.join(asked).transform(ar -> {
      for (Future<Object> f : asked) {
        if (f.failed() && f.cause() instanceof io.vertx.core.eventbus.ReplyException re && re.failureCode() == 409) {
          return Future.failedFuture(re.getMessage());
        }
        if (f.succeeded() && f.result() instanceof JsonObject j) {
          return Future.succeededFuture(java.util.Optional.<Object>of(j.getMap()));
        }
      }
      return Future.succeededFuture(java.util.Optional.empty());
    });
  }

  /**
   * The devices of every node, each asked directly (an agent's devices live on the node holding its
   * connection). A node that does not answer in time is left out and named in {@code missing}.
   */
  public Future<DevicesSeen> allDevices() {
    List<String> nodes = view.nodeIds();
    List<Future<JsonArray>> asked = askEveryNode(DEVICES, nodes, null, 3000);
    return Future.join(asked).transform(ar -> {
      List<Object> devices = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < asked.size(); i++) {
        if (asked.get(i).succeeded()) {
          // Plain maps, so the API writes them as the local snapshot's records are written.
          asked.get(i).result().forEach(d -> devices.add(d instanceof JsonObject j ? j.getMap() : d));
        } else {
          missing.add(nodes.get(i));
        }
      }
      return Future.succeededFuture(new DevicesSeen(devices, missing));
    });
  }

  /** Sends {@code body} to each node's own address under {@code prefix}; their answers, in node order. */
  private <T> List<Future<T>> askEveryNode(String prefix, List<String> nodes, Object body, long timeoutMillis) {
    List<Future<T>> asked = new ArrayList<>();
    for (String node : nodes) {
      asked.add(vertx.eventBus().<T>request(prefix + node, body, new DeliveryOptions().setSendTimeout(timeoutMillis)).map(m -> m.body()));
    }
    return asked;
  }
}
