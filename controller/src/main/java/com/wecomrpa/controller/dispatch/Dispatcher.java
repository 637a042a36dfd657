package com.wecomrpa.controller.dispatch;

import com.wecomrpa.controller.job.JobClaims;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.store.GroupCommit;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerListen;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands queued jobs to idle devices. At most {@code passesAtOnce} passes run at once: a kick while
 * they run schedules one more pass after them, so bursts of reports and new jobs cost one pass
 * each, not one per event.
 */
public final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /**
   * Claims of one pass that run at once, leaving the rest of the worker pool to reports and the API.
   * Two passes at once (a node alone) may each run this many: on the embedded store, whose claims
   * go one a lane, a burst can then hold all sixteen workers for a lane's length, and reports and
   * API calls queue behind it.
   */
  private static final int CLAIM_LANES = 8;
  /** Passes that may run at once, each with the devices idle when it began (see the constructor). */
  private final int passesAtOnce;

  private record Claim(DeviceBoard.FreeDevice device, Optional<ControllerJobOffer> offer, Optional<ControllerListen> listen, Throwable error) {}

  /**
   * What an idle device with no job due does instead (listen to its chats), asked on a worker
   * thread; and how long it may take to answer before the device is freed anyway.
   */
  public interface IdleWork {
    Optional<ControllerListen> next(String deviceId, String accountId);

    Duration answerWithin(String accountId);
  }

  private IdleWork idle = new IdleWork() {
    @Override
    public Optional<ControllerListen> next(String deviceId, String accountId) {
      return Optional.empty();
    }

    @Override
    public Duration answerWithin(String accountId) {
      return Duration.ZERO;
    }
  };

  /** Sets what idle devices do when no job is due. */
  public void whenIdle(IdleWork work) {
    this.idle = work;
  }

  private final WorkerExecutor workers;
  private final DeviceBoard board;
  private final Jobs jobs;
  private final Clock clock;
  private final Clock systemClock;
  private final Duration leaseFor;
  private final int maxAttempts;
  private final GroupCommit durable;
  private int passesRunning;
  private boolean kickedDuringPass;
  private volatile long passes;
  private final java.util.concurrent.atomic.AtomicLong offers = new java.util.concurrent.atomic.AtomicLong();
  private java.util.function.BooleanSupplier ready = () -> true;

  /**
   * {@code clock} says which jobs are due; {@code systemClock} times leases (real time);
   * {@code passesAtOnce}: how many passes may run at once. One at a time, a device freed during a
   * pass waits for that pass (its probe, claims and flush) before its own begins: a node alone on
   * PostgreSQL left the host a sixth idle in bench dispatch's burst, and two at once ran 1,187 to
   * 1,342 jobs/s against 989 to 1,300, alternating. Nodes of a cluster already run their passes
   * side by side against one database: there two a node measured worse on two cores (three nodes
   * 690 against 983 jobs/s, the server's CPU a job 1.75 against 1.15 ms).
   */
  public Dispatcher(
      WorkerExecutor workers, DeviceBoard board, Jobs jobs, GroupCommit durable, Clock clock, Clock systemClock, Duration leaseFor, int maxAttempts, int passesAtOnce) {
    this.passesAtOnce = passesAtOnce;
    this.durable = durable;
    this.workers = workers;
    this.board = board;
    this.jobs = jobs;
    this.clock = clock;
    this.systemClock = systemClock;
    this.leaseFor = leaseFor;
    this.maxAttempts = maxAttempts;
  }

  /** Dispatch passes finished: every offer a pass makes has been handed to its link before it counts. */
  public long passes() {
    return passes;
  }

  /** Offers this node has handed to its agents since start. */
  public long offers() {
    return offers.get();
  }

  /** Asks for a dispatch pass soon. Call from the controller's event loop. */
  public void kick() {
    if (passesRunning >= passesAtOnce) {
      kickedDuringPass = true;
      return;
    }
    passesRunning++;
    pass().onComplete(
        done -> {
          passesRunning--;
          passes++;
          if (kickedDuringPass) {
            kickedDuringPass = false;
            kick();
          }
        });
  }

  /** Only while {@code ready} holds are passes run (the node has its database and its cluster). */
  public void onlyWhile(java.util.function.BooleanSupplier ready) {
    this.ready = ready;
  }

  private Future<Void> pass() {
    if (!ready.getAsBoolean()) {
      return Future.succeededFuture();
    }
    List<DeviceBoard.FreeDevice> free = board.takeIdle();
    if (free.isEmpty()) {
      return Future.succeededFuture();
    }
    // The pass's leases are on disk before any offer leaves: an agent never acts on a lease a
    // crash could make the controller forget. One flush covers the whole pass.
    // Devices of different accounts never wait on each other's rows: their claims run side by side,
    // so a database that syncs every commit (PostgreSQL) syncs many at once.
    // Only devices whose account has work now claim: one read for the pass first, so idle devices
    // cost the pass nothing per device but their idle work (a farm of a thousand phones waits cheaply).
    return workers.executeBlocking(() -> jobs.claims().withWorkNow(free.stream().map(DeviceBoard.FreeDevice::accountId).toList(), clock.instant()), false)
        .compose(working -> claimInLanes(free, working))
        .compose(claims -> claims.stream().anyMatch(c -> c.offer().isPresent()) ? durable.flushed().map(claims) : Future.succeededFuture(claims))
        .compose(
            claims -> {
              // Offers leave first: a device's job does not wait on the listens planned for the
              // others (with 1,000 devices, a few listens fall due in every pass).
              List<DeviceBoard.FreeDevice> without = new ArrayList<>();
              for (Claim claim : claims) {
                if (claim.offer().isEmpty() && claim.error() == null) {
                  without.add(claim.device());
                } else {
                  deliver(claim);
                }
              }
              return inLanes(without, Math.min(CLAIM_LANES, without.size()), this::listens)
                  .map(listens -> {
                    listens.forEach(this::deliver);
                    return (Void) null;
                  })
                  .recover(e -> {
                    LOG.error("listens not planned", e);
                    without.forEach(d -> board.unclaim(d.deviceId()));
                    return Future.succeededFuture();
                  });
            })
        .onFailure(
            e -> {
              LOG.error("dispatch pass failed", e);
              free.forEach(d -> board.unclaim(d.deviceId()));
            });
  }

  private Future<List<Claim>> claimInLanes(List<DeviceBoard.FreeDevice> free, java.util.Set<String> working) {
    // Where a lane's claims share a transaction (PostgreSQL), fewer and fuller lanes cost the
    // database fewer transactions; the embedded store runs each claim alone, so as many lanes as it can.
    int together = jobs.claims().claimsPerTransaction();
    return inLanes(free, Math.min(CLAIM_LANES, (free.size() + together - 1) / together), mine -> claimAll(mine, working));
  }

  /** {@code work} on {@code lanes} worker threads at once, each given every lanes-th device. */
  private Future<List<Claim>> inLanes(List<DeviceBoard.FreeDevice> devices, int lanes, java.util.function.Function<List<DeviceBoard.FreeDevice>, List<Claim>> work) {
    List<Future<List<Claim>>> parts = new ArrayList<>();
    for (int lane = 0; lane < lanes; lane++) {
      List<DeviceBoard.FreeDevice> mine = new ArrayList<>();
      for (int i = lane; i < devices.size(); i += lanes) {
        mine.add(devices.get(i));
      }
      parts.add(workers.executeBlocking(() -> work.apply(mine), false));
    }
    return Future.all(parts).map(all -> {
      List<Claim> out = new ArrayList<>();
      parts.forEach(f -> out.addAll(f.result()));
      return out;
    });
  }

  /** What each device left without a job does instead: a listen, or nothing. */
  private List<Claim> listens(List<DeviceBoard.FreeDevice> devices) {
    List<Claim> out = new ArrayList<>();
    for (DeviceBoard.FreeDevice d : devices) {
      Optional<ControllerListen> listen = Optional.empty();
      try {
        listen = idle.next(d.deviceId(), d.accountId());
      } catch (RuntimeException e) {
        LOG.warn("device={} listen not planned: {}", d.deviceId(), e.getMessage());
      }
      out.add(new Claim(d, Optional.empty(), listen, null));
    }
    return out;
  }

  private List<Claim> claimAll(List<DeviceBoard.FreeDevice> free, java.util.Set<String> working) {
    // The lane's claims in one transaction where the store gains by it (PostgreSQL); each on its own otherwise.
    List<DeviceBoard.FreeDevice> asking = free.stream().filter(d -> working.contains(d.accountId())).toList();
    // A batch that fails answers nothing (and changes nothing): its devices then claim one by one below.
    java.util.Map<String, Optional<ControllerJobOffer>> together = new java.util.HashMap<>();
    jobs.claims().claimTogether(asking.stream().map(d -> new JobClaims.Ask(d.agentId(), d.deviceId(), d.accountId())).toList(),
            clock.instant(), systemClock.instant(), leaseFor, maxAttempts)
        .ifPresent(offers -> {
          for (int i = 0; i < asking.size(); i++) {
            together.put(asking.get(i).deviceId(), offers.get(i));
          }
        });
    List<Claim> claims = new ArrayList<>();
    for (DeviceBoard.FreeDevice d : free) {
      try {
        Optional<ControllerJobOffer> offer = !working.contains(d.accountId()) ? Optional.empty()
            : together.containsKey(d.deviceId()) ? together.get(d.deviceId())
            : jobs.claims().claimNext(d.agentId(), d.deviceId(), d.accountId(), clock.instant(), systemClock.instant(), leaseFor, maxAttempts);
        claims.add(new Claim(d, offer, Optional.empty(), null));
      } catch (RuntimeException e) {
        claims.add(new Claim(d, Optional.empty(), Optional.empty(), e));
      }
    }
    return claims;
  }

  private java.util.function.LongConsumer offered = token -> {};

  /** Told the fencing token of each offer sent. */
  public void onOffered(java.util.function.LongConsumer offered) {
    this.offered = offered;
  }

  private void deliver(Claim claim) {
    DeviceBoard.FreeDevice d = claim.device();
    if (claim.error() != null) {
      // A fault of our own (no message of its own) is logged with its stack: an operator can act on it.
      if (claim.error().getMessage() == null) {
        LOG.warn("device={} claim failed", d.deviceId(), claim.error());
      } else {
        LOG.warn("device={} claim failed: {}", d.deviceId(), claim.error().getMessage());
      }
      board.unclaim(d.deviceId());
      return;
    }
    if (claim.offer().isEmpty()) {
      if (claim.listen().isPresent()) {
        ControllerListen listen = claim.listen().get();
        if (board.markListening(d.deviceId(), d.agentId(), listen.listenId(), idle.answerWithin(d.accountId())) && d.link().send(listen)) {
          return;
        }
      }
      board.unclaim(d.deviceId());
      return;
    }
    ControllerJobOffer offer = claim.offer().get().withScriptVersion(d.scriptVersion());
    if (!systemClock.instant().plus(leaseFor.dividedBy(4)).isBefore(offer.leaseExpiresAt())) {
      // This node stalled (a pause, a frozen process) between the lease and the offer: the lease
      // is as good as gone, another node may already hold the job. It is never offered stale.
      LOG.warn("job={} lease={} not offered: the lease ran out while this node stalled", offer.jobId(), offer.fencingToken());
      board.unclaim(d.deviceId());
      workers.executeBlocking(() -> jobs.expiry().returnLease(offer.jobId(), offer.fencingToken(), systemClock.instant(), "lease ran out before its offer"), false);
      return;
    }
    if (board.markBusy(d.deviceId(), d.agentId(), offer.jobId(), offer.fencingToken()) && d.link().send(offer)) {
      offers.incrementAndGet();
      offered.accept(offer.fencingToken());
      LOG.debug("job={} lease={} offered to device={} agent={}", offer.jobId(), offer.fencingToken(), d.deviceId(), d.agentId());
      return;
    }
    // The device left while its lease was being taken: give the job straight back to the queue.
    LOG.info("job={} lease={} returned: device={} disconnected", offer.jobId(), offer.fencingToken(), d.deviceId());
    workers.executeBlocking(
        () -> jobs.expiry().returnLease(offer.jobId(), offer.fencingToken(), systemClock.instant(), "device disconnected"), false);
  }
}
