package com.wecomrpa.controller.gateway;

import com.wecomrpa.controller.dispatch.DeviceBoard;
import com.wecomrpa.controller.dispatch.Dispatcher;
import com.wecomrpa.controller.listen.HeardIntake;
import com.wecomrpa.controller.metrics.ControllerMetrics;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.protocol.AgentHeard;
import com.wecomrpa.protocol.ControllerReportAck;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a listen heard: the device is free again at once; the messages are stored (each once),
 * forced to disk, and only then acknowledged, so the agent keeps them until they are safe. Replies
 * and plans they set off are dispatched right after.
 */
public final class HeardHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HeardHandler.class);

  private final WorkerExecutor workers;
  private final HeardIntake intake;
  private final GroupCommit durable;
  private final DeviceBoard board;
  private final Dispatcher dispatcher;
  private final ControllerMetrics metrics;
  private final Clock businessClock;
  private final Runnable plansChanged;
  /** Each account's listens are stored one after another (a re-sent one right behind the first). */
  private final java.util.Map<String, io.vertx.core.Future<?>> lastOf = new java.util.HashMap<>();

  public HeardHandler(WorkerExecutor workers, HeardIntake intake, GroupCommit durable, DeviceBoard board, Dispatcher dispatcher, ControllerMetrics metrics,
      Clock businessClock, Runnable plansChanged) {
    this.workers = workers;
    this.intake = intake;
    this.durable = durable;
    this.board = board;
    this.dispatcher = dispatcher;
    this.metrics = metrics;
    this.businessClock = businessClock;
    this.plansChanged = plansChanged;
  }

  void onHeard(AgentConnection conn, AgentHeard h) {
    Optional<String> account = board.endListening(h.deviceId(), conn.agentId(), h.listenId());
    dispatcher.kick();
    if (account.isEmpty()) {
      LOG.warn("agent={} sent what device {} heard, but does not hold that device: ignored", conn.agentId(), h.deviceId());
      conn.send(new ControllerReportAck(h.keptId(), null, false, "device " + h.deviceId() + " is not this agent's"));
      return;
    }
    io.vertx.core.Future<?> before = lastOf.getOrDefault(account.get(), io.vertx.core.Future.succeededFuture());
    io.vertx.core.Future<HeardIntake.Result> stored = before
        .transform(ignored -> workers.executeBlocking(() -> intake.apply(account.get(), h, businessClock.instant()), false));
    lastOf.put(account.get(), stored);
    stored.onComplete(ar -> {
      if (lastOf.get(account.get()) == stored) {
        lastOf.remove(account.get());
      }
    });
    stored
        .compose(r -> durable.flushed().map(r))
        .onComplete(ar -> {
          if (ar.failed()) {
            // Not acknowledged: the agent keeps it and, told so, sends it again soon on this connection.
            LOG.warn("device={} listen {} could not be stored: {}", h.deviceId(), h.listenId(), NotStored.why(ar.cause()));
            conn.send(NotStored.of(h.keptId(), ar.cause()));
            return;
          }
          HeardIntake.Result r = ar.result();
          metrics.heard(r.lines(), r.fresh(), r.freshFromCustomers());
          conn.send(new ControllerReportAck(h.keptId(), null, true, null));
          if (r.fresh() > 0 || h.error() != null) {
            LOG.info("device={} listen read {} chats, {} lines, {} new ({} from customers); tags +{} -{}, {} replies, {} plans started{}",
                h.deviceId(), r.chats(), r.lines(), r.fresh(), r.freshFromCustomers(), r.effects().tagsAdded(), r.effects().tagsRemoved(),
                r.effects().repliesQueued(), r.effects().plansStarted(), h.error() == null ? "" : "; stopped: " + h.error());
          }
          var m = r.members();
          metrics.members(m.joins, m.leaves, m.removalsHeard);
          if (m.joins + m.leaves + m.friendsAdded + m.acceptsQueued + m.removalsQueued > 0) {
            LOG.info("device={} listen heard {} joins, {} leaves, {} friends added; {} friend requests to accept, {} anti-spam actions, {} plans started",
                h.deviceId(), m.joins, m.leaves, m.friendsAdded, m.acceptsQueued, m.removalsQueued, m.plansStarted);
          }
          if (r.effects().plansStarted() > 0 || m.plansStarted > 0) {
            plansChanged.run();
          }
          if (r.effects().repliesQueued() > 0 || m.acceptsQueued > 0 || m.removalsQueued > 0) {
            dispatcher.kick();
          }
        });
  }
}
