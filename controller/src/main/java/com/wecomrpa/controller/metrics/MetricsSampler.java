package com.wecomrpa.controller.metrics;

import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.retention.StorageUse;
import com.wecomrpa.controller.store.Database;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves /metrics. The farm's totals are read from the database when scraped, at most every 15 s
 * (quota use and storage every minute): nothing is spent on them where nobody scrapes, and a busy farm pays
 * little where one does. Called on the controller's event loop.
 */
public final class MetricsSampler {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsSampler.class);
  private static final long EVERY_NANOS = 15_000_000_000L;

  private final WorkerExecutor workers;
  private final ControllerMetrics metrics;
  private final PrometheusMeterRegistry registry;
  private final Database db;
  private final JdbcLimitStore limits;
  private final StorageUse storage;
  private final Clock clock;
  private long sampledAt;
  private boolean sampling;

  public MetricsSampler(WorkerExecutor workers, ControllerMetrics metrics, PrometheusMeterRegistry registry, Database db, JdbcLimitStore limits, StorageUse storage, Clock clock) {
    this.workers = workers;
    this.metrics = metrics;
    this.registry = registry;
    this.db = db;
    this.limits = limits;
    this.storage = storage;
    this.clock = clock;
  }

  public void handle(RoutingContext ctx) {
    metrics.countDevices();
    io.vertx.core.Future<Void> ready = io.vertx.core.Future.succeededFuture();
    if (!sampling && (sampledAt == 0 || System.nanoTime() - sampledAt >= EVERY_NANOS)) {
      sampling = true;
      ready = workers.executeBlocking(() -> {
        metrics.sample(db, limits, storage, clock.instant());
        return null;
      }, false).<Void>mapEmpty().onComplete(ar -> {
        sampling = false;
        sampledAt = System.nanoTime();
        if (ar.failed()) {
          LOG.debug("metrics sample failed: {}", ar.cause().getMessage());
        }
      }).recover(e -> io.vertx.core.Future.succeededFuture());
    }
    ready.onComplete(ar -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
  }
}
