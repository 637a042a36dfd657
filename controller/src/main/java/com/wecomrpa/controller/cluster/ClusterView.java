package com.wecomrpa.controller.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;

/**
 * What this node knows of its cluster from Hazelcast's membership: who is in it, whether it is still
 * a member, and whether it is the oldest member, the one that should run the sweeps. Membership is
 * advice, not authority: a node also needs the database's {@link SweepLead} to sweep. A Vert.x that
 * is not clustered is a cluster of one.
 */
public final class ClusterView {
  private final HazelcastInstance hazelcast;
  private final HazelcastClusterManager manager;
  private final String nodeId;

  private ClusterView(HazelcastClusterManager manager, String nodeId) {
    this.manager = manager;
    this.hazelcast = manager == null ? null : manager.getHazelcastInstance();
    this.nodeId = nodeId;
  }

  public static ClusterView of(Vertx vertx) {
    if (vertx.isClustered() && ((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager hz) {
      return new ClusterView(hz, hz.getNodeId());
    }
    return new ClusterView(null, "standalone");
  }

  /** The Vert.x node ids of the members, this one included. */
  public List<String> nodeIds() {
    return manager == null ? List.of(nodeId) : manager.getNodes();
  }

  public boolean clustered() {
    return hazelcast != null;
  }

  /** Still a member of a running cluster (always, standalone). */
  public boolean joined() {
    return hazelcast == null || hazelcast.getLifecycleService().isRunning();
  }

  /** Whether this node is the oldest member it can see, and so the one to try to lead the sweeps. */
  public boolean oldest() {
    if (hazelcast == null) {
      return true;
    }
    if (!joined()) {
      return false;
    }
    var members = hazelcast.getCluster().getMembers();
    return !members.isEmpty() && members.iterator().next().localMember();
  }

  /** This node's Vert.x cluster node id (the event-bus address of its own consumers). */
  public String nodeId() {
    return nodeId;
  }

  /** The members this node sees, oldest first, as host:port. */
  public List<String> members() {
    if (hazelcast == null || !joined()) {
      return List.of();
    }
    return hazelcast.getCluster().getMembers().stream().map(Member::getAddress).map(a -> a.getHost() + ":" + a.getPort()).toList();
  }
}
