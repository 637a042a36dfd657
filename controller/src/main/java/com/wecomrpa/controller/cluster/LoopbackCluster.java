package com.wecomrpa.controller.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;

/**
 * A clustered Vert.x over Hazelcast: TCP/IP join to the members given, multicast, auto-detection and
 * phone-home off, bound to one interface (loopback by default). A member silent for a few seconds is
 * dropped (Hazelcast's default is a minute): the database, not membership, keeps work safe, so a
 * quick verdict costs at most a takeover.
 */
public final class LoopbackCluster {
  private LoopbackCluster() {}

  public static Config hazelcastConfig(String clusterName, String host, int port, List<String> members) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "6");
    // Two halves of a split (a node frozen and resumed) find each other again within seconds.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    if (members.isEmpty()) {
      join.getTcpIpConfig().addMember(host);
    } else {
      members.forEach(m -> join.getTcpIpConfig().addMember(m));
    }
    return config;
  }

  public static Config hazelcastConfig(String clusterName, int port) {
    return hazelcastConfig(clusterName, "127.0.0.1", port, List.of());
  }

  /** A clustered Vert.x on loopback. */
  public static Future<Vertx> start(String clusterName, int hazelcastPort) {
    return start(clusterName, "127.0.0.1", hazelcastPort, List.of());
  }

  /** A clustered Vert.x whose member binds {@code host} and joins {@code members} (host:port each). */
  public static Future<Vertx> start(String clusterName, String host, int hazelcastPort, List<String> members) {
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(host));
    return com.wecomrpa.controller.telemetry.Telemetry.clustered(options, new HazelcastClusterManager(hazelcastConfig(clusterName, host, hazelcastPort, members)));
  }
}
