package com.wecomrpa.launcher;

import com.wecomrpa.controller.Controller;
import com.wecomrpa.controller.ControllerOptions;
import com.wecomrpa.controller.limits.LimitProfile;
import com.wecomrpa.controller.cluster.ClusterView;
import com.wecomrpa.controller.cluster.LoopbackCluster;
import com.wecomrpa.controller.store.DbCredentials;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "controller", mixinStandardHelpOptions = true, description = "Run the control plane: REST API and agent gateway.")
final class ControllerCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port for API and agents (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--data", defaultValue = "data", description = "data folder for the embedded database (default ./${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--agent-token", description = "token agents must present; default: $WECOM_RPA_AGENT_TOKEN, else generated into DATA/agent-token")
  String agentToken;

  @Option(names = "--lease-seconds", defaultValue = "30", description = "job lease length (default ${DEFAULT-VALUE})")
  int leaseSeconds;

  @Option(names = "--max-groups-per-account", defaultValue = "200",
      description = "Default cap on the groups one account owns (a limit admins can change per account or tag; default: ${DEFAULT-VALUE})")
  int maxGroups;

  @Option(names = "--posts-per-group-per-day", defaultValue = "3",
      description = "Default posts a group receives per calendar day in its account's time zone (a limit admins can change; default: ${DEFAULT-VALUE})")
  int postsPerDay;

  @Option(names = "--cluster", description = "join a cluster of controllers over Hazelcast (needs --db: every node shares one PostgreSQL)")
  boolean cluster;

  @Option(names = "--no-cluster", hidden = true, description = "run alone (the default)")
  boolean noCluster;

  @Option(names = "--members", split = ",", description = "cluster members to join, host:port each (default: 127.0.0.1, ports from --cluster-port)")
  List<String> members = new ArrayList<>();

  @Option(names = "--cluster-host", defaultValue = "127.0.0.1", description = "address the cluster member binds (default ${DEFAULT-VALUE})")
  String clusterHost;

  @Option(names = "--cluster-port", defaultValue = "5701", description = "first port the cluster member tries (default ${DEFAULT-VALUE})")
  int clusterPort;

  @Option(names = "--db", description = "a shared PostgreSQL, jdbc:postgresql://HOST:PORT/DB; user and password from $WECOM_RPA_DB_USER and $WECOM_RPA_DB_PASSWORD (default: the embedded file under --data)")
  String db;

  @Option(names = "--keep-heard-days", defaultValue = "180", description = "days to keep messages heard from customers and groups (default ${DEFAULT-VALUE})")
  int keepHeardDays;

  @Option(names = "--keep-sent-days", defaultValue = "365", description = "days to keep the content of finished jobs (default ${DEFAULT-VALUE})")
  int keepSentDays;

  @Option(names = "--keep-screenshot-days", defaultValue = "30", description = "days to keep screenshots of attempts: they show chats (default ${DEFAULT-VALUE})")
  int keepScreenshotDays;

  @Option(names = "--keep-execution-days", defaultValue = "365", description = "days to keep the attempts of finished jobs (default ${DEFAULT-VALUE})")
  int keepExecutionDays;

  @Option(names = "--keep-audit-days", defaultValue = "1095", description = "days to keep the audit log (default ${DEFAULT-VALUE})")
  int keepAuditDays;

  @Option(names = "--min-free-disk-mb", defaultValue = "256", description = "free disk (MB) kept in the data folder's file system: below it, new work is refused with 507 and an alert until space is back (default ${DEFAULT-VALUE})")
  long minFreeDiskMb;

  @Option(names = "--db-password-file", description = "read the database password from this file's first line instead of $WECOM_RPA_DB_PASSWORD")
  Path dbPasswordFile;

  @Option(names = "--tls-cert", description = "PEM certificate (chain) for the port: API, console and agent gateway then speak https and wss only (TLS 1.2+)")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert")
  Path tlsKey;

  @Option(names = "--admin-token-file", description = "write the first admin token (made when the store has none) to this file, mode 0600, instead of the console")
  Path adminTokenFile;

  @Option(names = "--limits", defaultValue = "safe", description = "built-in limits: safe (human-paced: a 15-45 s gap, 08:00-22:00, caps under the reported thresholds; docs/limits.md), fast (75 sends a minute per account, round the clock: for the simulator only) or unpaced (no gap: for load agents only) (default ${DEFAULT-VALUE})")
  String limits;

  @Option(names = "--platform-api", description = "the platform's admin API a handover transfers groups and customers through: https://qyapi.weixin.qq.com for WeCom, or a simulator's URL (default: none; a handover is then refused)")
  String platformApi;

  @Option(names = "--platform-corp-id", description = "the WeCom corp id for --platform-api")
  String platformCorpId;

  @Option(names = "--platform-secret-file", description = "file holding the secret of the WeCom app with customer-contact rights, for --platform-api")
  Path platformSecretFile;

  @Option(names = "--unhealthy-after", defaultValue = "3", description = "failed jobs in a row after which a device gets no offers until repaired (default ${DEFAULT-VALUE})")
  int unhealthyAfter;

  private static Path require(Path p, String name) {
    if (p == null) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together: " + name + " is missing");
    }
    return p;
  }

  @Override
  public Integer call() throws IOException {
    if (cluster && db == null) {
      System.err.println("--cluster needs --db jdbc:postgresql://...: the nodes of a cluster share one database (the embedded file cannot be shared)");
      return 2;
    }
    String token = agentToken(data, agentToken);
    ControllerOptions options;
    try {
      options = new ControllerOptions(host, port, data, token, Duration.ofSeconds(leaseSeconds), Duration.ofSeconds(Math.max(1, leaseSeconds / 6)),
          maxGroups, postsPerDay, 2000, 3, cluster, Duration.ofHours(24), null, unhealthyAfter, db,
          db == null ? DbCredentials.NONE : DbCredentials.from(System.getenv(), dbPasswordFile), LimitProfile.of(limits),
          tlsCert == null && tlsKey == null ? null : new ControllerOptions.Tls(require(tlsCert, "--tls-cert"), require(tlsKey, "--tls-key")), adminTokenFile,
          platformApi == null ? null : new ControllerOptions.PlatformApi(platformApi, platformCorpId, platformSecretFile),
          new com.wecomrpa.controller.retention.Retention(keepHeardDays, keepSentDays, keepScreenshotDays, keepExecutionDays, keepAuditDays),
          com.wecomrpa.controller.disk.DiskFloor.of(data, minFreeDiskMb << 20));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Vertx vertx = Processes.await(
        options.clustered() ? LoopbackCluster.start("wecom-rpa", clusterHost, clusterPort, members) : io.vertx.core.Future.succeededFuture(com.wecomrpa.controller.telemetry.Telemetry.vertx()),
        Duration.ofSeconds(60));
    Controller controller = new Controller(options, Clock.systemUTC());
    Processes.await(vertx.deployVerticle(controller), Duration.ofSeconds(60));
    if (options.clustered()) {
      System.out.println("controller: cluster member " + ClusterView.of(vertx).members());
    }
    if (options.limitProfile() == LimitProfile.FAST) {
      System.out.println("controller: FAST limits (" + com.wecomrpa.platform.LabPlatform.FAST_SENDS_PER_MINUTE + " sends a minute per account, round the clock): for the simulator only; a real account needs --limits safe");
    } else if (options.limitProfile() == LimitProfile.UNPACED) {
      System.out.println("controller: UNPACED limits (no gap at all): for load agents only, never a client; a real account needs --limits safe");
    }
    System.out.println("controller: " + options.scheme() + "://" + host + ":" + controller.port() + "/api/v1  agents: " + (options.tls() == null ? "ws" : "wss") + "://" + host + ":" + controller.port() + "/agent");
    System.setProperty("wecom-rpa.keep-running", "true");
    Processes.runUntilStopped(() -> Processes.await(vertx.close(), Duration.ofSeconds(30)));
    return 0;
  }

  /** The agent token: given, from the environment, or generated once and kept in the data folder. */
  static String agentToken(Path data, String given) throws IOException {
    if (given != null) {
      return given;
    }
    String env = System.getenv("WECOM_RPA_AGENT_TOKEN");
    if (env != null && !env.isBlank()) {
      return env;
    }
    Path file = data.resolve("agent-token");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    Files.createDirectories(data);
    byte[] raw = new byte[24];
    new SecureRandom().nextBytes(raw);
    String token = HexFormat.of().formatHex(raw);
    Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    System.out.println("generated an agent token into " + file + " (shown once): " + token);
    return token;
  }
}
