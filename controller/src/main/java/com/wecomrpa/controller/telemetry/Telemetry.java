package com.wecomrpa.controller.telemetry;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One Prometheus registry per Vert.x instance, fed by Vert.x's own Micrometer metrics (HTTP server,
 * pools, event bus, JVM) and by the controller's domain meters. Labels are chosen so their values
 * stay bounded: routes, methods, status codes, pool names; never paths, addresses or peers.
 */
public final class Telemetry {
  private static final Map<Vertx, PrometheusMeterRegistry> REGISTRIES = Collections.synchronizedMap(new WeakHashMap<>());

  private Telemetry() {}

  /** A Vert.x that reports into its own registry (see {@link #registryOf}). */
  public static Vertx vertx() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx v = measured(new VertxOptions(), registry).build();
    REGISTRIES.put(v, registry);
    return v;
  }

  /** A clustered Vert.x with these options and cluster manager that reports into its own registry. */
  public static Future<Vertx> clustered(VertxOptions options, io.vertx.core.spi.cluster.ClusterManager clusterManager) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return measured(options, registry).withClusterManager(clusterManager).buildClustered().onSuccess(v -> REGISTRIES.put(v, registry));
  }

  /**
   * The registry of this Vert.x. One made without {@link #vertx} or {@link #clustered} gets a
   * registry of its own here: the domain and JVM meters, without Vert.x's HTTP and pool meters.
   */
  public static PrometheusMeterRegistry registryOf(Vertx vertx) {
    return REGISTRIES.computeIfAbsent(vertx, v -> {
      PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(r);
      new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(r);
      return r;
    });
  }

  private static VertxBuilder measured(VertxOptions options, PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE, Label.EB_FAILURE));
    return Vertx.builder().with(options.setMetricsOptions(metrics)).withMetrics(new MicrometerMetricsFactory(registry));
  }
}
