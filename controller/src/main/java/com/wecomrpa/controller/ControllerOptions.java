package com.wecomrpa.controller;

import com.wecomrpa.controller.limits.LimitProfile;
import com.wecomrpa.controller.store.DbCredentials;
import com.wecomrpa.controller.store.Dialect;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the controller reads from configuration, checked once here. Defaults are the embedded
 * ones: H2 under {@code ./data}, loopback only, caps from practice (200 groups per account, 3 posts
 * per group per day).
 */
public record ControllerOptions(
    String host,
    int port,
    Path dataDir,
    String agentToken,
    Duration leaseDuration,
    Duration heartbeatInterval,
    int maxGroupsPerAccount,
    int postsPerGroupPerDay,
    int maxTextLength,
    int maxAttempts,
    boolean clustered,
    Duration planHorizon,
    String adminToken,
    int unhealthyAfter,
    String dbUrl,
    DbCredentials dbCredentials,
    LimitProfile limitProfile,
    Tls tls,
    java.nio.file.Path adminTokenFile,
    PlatformApi platformApi,
    com.wecomrpa.controller.retention.Retention retention,
    com.wecomrpa.controller.disk.DiskFloor diskFloor) {

  /**
   * The platform's admin API that transfers groups and customers between accounts (a handover):
   * WeCom's externalcontact API, or the simulator's copy of it. {@code secretFile} holds the app
   * secret (none for the simulator).
   */
  public record PlatformApi(String url, String corpId, java.nio.file.Path secretFile) {}

  public static final int DEFAULT_PORT = 8080;

  public ControllerOptions {
    require(host != null && !host.isBlank(), "host is required");
    require(port >= 0 && port <= 65535, "port must be 0..65535, was " + port);
    require(dataDir != null, "dataDir is required");
    require(agentToken != null && agentToken.length() >= 8, "agentToken must be at least 8 characters");
    require(leaseDuration != null && leaseDuration.toMillis() >= 200, "leaseDuration must be at least 200ms");
    require(
        heartbeatInterval != null && heartbeatInterval.compareTo(leaseDuration) < 0,
        "heartbeatInterval must be shorter than leaseDuration, or leases expire between heartbeats");
    require(maxGroupsPerAccount >= 1, "maxGroupsPerAccount must be >= 1");
    require(postsPerGroupPerDay >= 0, "postsPerGroupPerDay must be >= 0");
    require(maxTextLength >= 1, "maxTextLength must be >= 1");
    require(maxAttempts >= 1, "maxAttempts must be >= 1");
    require(unhealthyAfter >= 1, "unhealthyAfter must be >= 1");
    require(planHorizon != null && planHorizon.toMinutes() >= 60, "planHorizon must be at least 1h");
    if (dbUrl != null) {
      Dialect.of(dbUrl); // names the --db field when it is not a URL we can open
    }
    dbCredentials = dbCredentials == null ? DbCredentials.NONE : dbCredentials;
    limitProfile = limitProfile == null ? LimitProfile.SAFE : limitProfile;
    retention = retention == null ? com.wecomrpa.controller.retention.Retention.DEFAULTS : retention;
    diskFloor = diskFloor == null ? com.wecomrpa.controller.disk.DiskFloor.of(dataDir, com.wecomrpa.controller.disk.DiskFloor.DEFAULT_MIN_FREE_BYTES) : diskFloor;
    if (tls != null) {
      require(java.nio.file.Files.isReadable(tls.cert()), "--tls-cert " + tls.cert() + " is not a readable file");
      require(java.nio.file.Files.isReadable(tls.key()), "--tls-key " + tls.key() + " is not a readable file");
    }
  }

  public static ControllerOptions defaults(Path dataDir, String agentToken) {
    return new ControllerOptions(
        "127.0.0.1", DEFAULT_PORT, dataDir, agentToken, Duration.ofSeconds(30), Duration.ofSeconds(5), 200, 3, 2000, 3, true, Duration.ofHours(24), null, 3, null, DbCredentials.NONE, LimitProfile.SAFE, null, null, null, null, null);
  }

  public ControllerOptions withPlatformApi(PlatformApi api) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, api, retention, diskFloor);
  }

  public ControllerOptions withPort(int p) {
    return new ControllerOptions(host, p, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  public ControllerOptions withLeases(Duration lease, Duration heartbeat) {
    return new ControllerOptions(host, port, dataDir, agentToken, lease, heartbeat, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  public ControllerOptions withClustered(boolean c) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, c, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  /** The first admin token to create when the store has none (else a random one is printed once). */
  public ControllerOptions withAdminToken(String token) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, token, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  public ControllerOptions withMaxAttempts(int attempts) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, attempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  public ControllerOptions withCaps(int groupsPerAccount, int postsPerGroupDay) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, groupsPerAccount, postsPerGroupDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  /** A shared PostgreSQL instead of the embedded file ({@code url} null: embedded). */
  public ControllerOptions withDb(String url, DbCredentials credentials) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, url, credentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  /**
   * The built-in limits: {@code SAFE} (human-paced, what a started controller gets) or {@code FAST}
   * (no gap, round the clock; for demos, benchmarks and tests that need speed, and say so).
   */
  public ControllerOptions withLimitProfile(LimitProfile profile) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, profile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  /** A PEM certificate (chain) and its PEM private key: the port then serves https and wss only. */
  public record Tls(java.nio.file.Path cert, java.nio.file.Path key) {}

  public ControllerOptions withTls(Tls files) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, files, adminTokenFile, platformApi, retention, diskFloor);
  }

  /** Where the first admin token is written (mode 0600) instead of the console; null: the console. */
  public ControllerOptions withAdminTokenFile(java.nio.file.Path file) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, file, platformApi, retention, diskFloor);
  }

  /** How much of the data folder's disk is kept free, and how free space is read. */
  public ControllerOptions withDiskFloor(com.wecomrpa.controller.disk.DiskFloor floor) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, floor);
  }

  /** http or https, as the port serves. */
  public String scheme() {
    return tls == null ? "http" : "https";
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Failed jobs in a row after which a device gets no offers until its agent repairs it. */
  public ControllerOptions withUnhealthyAfter(int failures) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, failures, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, retention, diskFloor);
  }

  /** The server's options: TLS 1.2 and 1.3 only, from the PEM files given; plain otherwise. */
  public io.vertx.core.http.HttpServerOptions httpServerOptions(int maxWebSocketMessage) {
    io.vertx.core.http.HttpServerOptions o =
        new io.vertx.core.http.HttpServerOptions().setMaxWebSocketMessageSize(maxWebSocketMessage).setMaxWebSocketFrameSize(1 << 20);
    if (tls != null) {
      o.setSsl(true)
          .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(tls.cert().toString()).setKeyPath(tls.key().toString()))
          .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"));
    }
    return o;
  }

  /** Whether the controller listens on loopback only (plain HTTP is then safe to serve). */
  public boolean onLoopback() {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
  }

  public ControllerOptions withRetention(com.wecomrpa.controller.retention.Retention r) {
    return new ControllerOptions(host, port, dataDir, agentToken, leaseDuration, heartbeatInterval, maxGroupsPerAccount, postsPerGroupPerDay, maxTextLength, maxAttempts, clustered, planHorizon, adminToken, unhealthyAfter, dbUrl, dbCredentials, limitProfile, tls, adminTokenFile, platformApi, r, diskFloor);
  }
}
