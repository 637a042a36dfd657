package com.wecomrpa.controller.disk;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the data folder's free disk. Below the floor, every API call that would store something
 * is answered 507 with what is free and what is kept, once an alert says so, and reads go on; once
 * space is back above the floor, work is taken again by itself. Agents' reports are not refused:
 * each is acknowledged only after its write commits, so a write the full disk fails is not
 * acknowledged and the agent sends it again.
 */
public final class DiskGuard {
  private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);
  /** How often the free space is read (a statfs call: cheap). */
  public static final long EVERY_MILLIS = 2_000;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final DiskFloor floor;
  private final Consumer<String> low;
  private final Consumer<String> back;
  private volatile String refusal;
  private long timer = -1;
  private boolean reading;

  /** {@code low}/{@code back}: told once as the disk goes below the floor and once as it comes back (on a worker). */
  public DiskGuard(Vertx vertx, WorkerExecutor workers, DiskFloor floor, Consumer<String> low, Consumer<String> back) {
    this.vertx = vertx;
    this.workers = workers;
    this.floor = floor;
    this.low = low;
    this.back = back;
  }

  /** Reads now, then every {@value #EVERY_MILLIS} ms. On the event loop. */
  public void start() {
    check();
    timer = vertx.setPeriodic(EVERY_MILLIS, t -> check());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Why new work is refused now, or null. */
  public String refusal() {
    return refusal;
  }

  private void check() {
    if (reading) {
      return;
    }
    reading = true;
    workers.executeBlocking(() -> {
      long free = floor.freeBytes().getAsLong();
      String was = refusal;
      if (free < floor.minFreeBytes()) {
        String why = "the data folder's disk has " + (free >> 20) + " MB free, under the " + (floor.minFreeBytes() >> 20)
            + " MB this controller keeps free: new work is refused until space is freed (reads go on)";
        refusal = why;
        if (was == null) {
          LOG.warn("{}", why);
          low.accept(why);
        }
      } else if (was != null) {
        refusal = null;
        String why = "the data folder's disk has " + (free >> 20) + " MB free again: new work is taken";
        LOG.info("{}", why);
        back.accept(why);
      }
      return null;
    }, false).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        LOG.warn("cannot read the data folder's free space: {}", ar.cause().toString());
      }
    });
  }

  /** Route handler before the API: refuses what would store something while the disk is below the floor. */
  public void handle(RoutingContext ctx) {
    String why = refusal;
    String method = ctx.request().method().name();
    if (why == null || method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      ctx.next();
      return;
    }
    ctx.response().setStatusCode(507).putHeader("retry-after", "60");
    ctx.json(new JsonObject().put("error", why));
  }
}
