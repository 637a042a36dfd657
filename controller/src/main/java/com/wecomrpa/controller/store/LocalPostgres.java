package com.wecomrpa.controller.store;

import com.wecomrpa.loopback.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server on loopback for the demo and the tests: Debian's {@code postgresql}
 * package, a fresh cluster in a folder of its own (run as the {@code postgres} user when this
 * process is root, since {@code initdb} refuses root), trust authentication for one user, listening
 * on 127.0.0.1 only. Not for production: there, point {@code --db} at a managed database.
 */
public final class LocalPostgres implements AutoCloseable {
  public static final String USER = "wecom";

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;
  private final boolean flushToDisk;
  private Process guard;

  private LocalPostgres(Path bin, Path dir, int port, boolean asPostgresUser, boolean flushToDisk) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
    this.flushToDisk = flushToDisk;
  }

  /** The folder of {@code initdb} and {@code pg_ctl}, newest version first; empty if not installed. */
  public static java.util.Optional<Path> findBinaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return java.util.Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(b -> versionOf(b.getParent())));
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString().replaceAll("\\D.*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A new folder under /tmp the postgres user can reach (this process may be root, whose home is
   * closed to others), for {@link #start}; {@link #discard()} removes it with the server.
   */
  public static Path temporaryFolder(String prefix) {
    try {
      Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder for PostgreSQL under /tmp", e);
    }
  }

  /** A server in a new {@link #temporaryFolder} on a free port: for a demo, a benchmark or a test run. */
  public static LocalPostgres startTemporary(String prefix) {
    return start(temporaryFolder(prefix), 0, true);
  }

  /**
   * As {@link #startTemporary(String)}, but its commits are written to the OS and not flushed to
   * the disk: for tests of SQL, which kill processes (a commit survives that, the server included)
   * but never the machine, and wait on nothing the disk would add.
   */
  public static LocalPostgres startTemporaryUnflushed(String prefix) {
    return start(temporaryFolder(prefix), 0, false);
  }

  /** Stops the server and deletes its folder, data and all. */
  public void discard() {
    close();
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // left under /tmp for the OS to clean
    }
  }

  /**
   * Starts a server whose cluster lives in {@code dir} (created by {@code initdb} when empty, reused
   * when it holds one), on {@code port} (0: a free one).
   */
  public static LocalPostgres start(Path dir, int port) {
    return start(dir, port, true);
  }

  private static LocalPostgres start(Path dir, int port, boolean flushToDisk) {
    Path bin =
        findBinaries()
            .orElseThrow(() -> new IllegalStateException(
                "PostgreSQL is not installed: run 'sudo apt-get install postgresql' (Debian's package), or give --db jdbc:postgresql://..."));
    boolean root = "root".equals(System.getProperty("user.name"));
    LocalPostgres pg = new LocalPostgres(bin, dir.toAbsolutePath(), port == 0 ? FreePort.pick() : port, root, flushToDisk);
    pg.startServer();
    pg.guard = pg.startGuard();
    return pg;
  }

  private void startServer() {
    try {
      Files.createDirectories(dir);
      Path data = dir.resolve("pgdata");
      Path sockets = dir.resolve("sockets");
      Files.createDirectories(sockets);
      if (asPostgresUser) {
        // The server runs as postgres: it must reach and own its folders.
        UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        for (Path p = dir; p != null && p.getParent() != null; p = p.getParent()) {
          if (p.equals(dir)) {
            Files.setOwner(p, postgres);
          } else if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
            throw new IllegalStateException("the postgres user cannot reach " + dir + " (" + p + " is closed to others): use a folder under /tmp");
          }
        }
        Files.setOwner(sockets, postgres);
      }
      if (!Files.exists(data.resolve("PG_VERSION"))) {
        Files.createDirectories(data);
        if (asPostgresUser) {
          Files.setOwner(data, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        run(Duration.ofMinutes(2), bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale");
      }
      run(Duration.ofMinutes(1), bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-l", dir.resolve("server.log").toString(),
          "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + sockets + " -c fsync=" + (flushToDisk ? "on" : "off") + " -c synchronous_commit=on -c max_connections=300 " + extraOptions(), "start");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL in " + dir, e);
    }
  }

  /**
   * Server options a person adds to look inside a run, from the system property
   * {@code wecom-rpa.postgres-options}, separated by ';' (a shell passes no spaces through
   * WECOM_RPA_JAVA_OPTS), e.g. {@code --shared_preload_libraries=pg_stat_statements}; none by default.
   */
  private static String extraOptions() {
    String extra = System.getProperty("wecom-rpa.postgres-options", "");
    if (!extra.matches("[-A-Za-z0-9_.,=;]*")) {
      throw new IllegalArgumentException("wecom-rpa.postgres-options: only --name=value options separated by ';', was " + extra);
    }
    return extra.replace(';', ' ');
  }

  /** A database of this server, created when missing; returns its JDBC URL. */
  public String database(String name) {
    if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database name must be lower-case letters, digits and _: " + name);
    }
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
      if (!rs.next()) {
        s.executeUpdate("CREATE DATABASE " + name);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + " on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    return url(name);
  }

  public String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public int port() {
    return port;
  }

  public DbCredentials credentials() {
    return new DbCredentials(USER, "");
  }

  /**
   * The server is not a child of this process (pg_ctl detaches it), so nothing would stop it if
   * this process were killed with SIGKILL: a shell loop beside it watches this process and stops
   * the server the moment it is gone. It ignores TERM, so a sweep of this process's children that
   * precedes a clean stop does not take it down before the server.
   */
  private Process startGuard() {
    String stop = (asPostgresUser ? "runuser -u postgres -- " : "") + "'" + bin.resolve("pg_ctl") + "' -D '" + dir.resolve("pgdata") + "' -m immediate stop";
    String script = "trap '' INT TERM HUP; while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do sleep 1; done; " + stop;
    try {
      return new ProcessBuilder("/bin/sh", "-c", script, "wecom-rpa-postgres-guard")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the guard of PostgreSQL in " + dir, e);
    }
  }

  /** Restarts the server as an operator's {@code pg_ctl -m fast restart} would: open connections are cut. */
  public void restartFast() {
    try {
      run(Duration.ofMinutes(1), bin.resolve("pg_ctl").toString(), "-D", dir.resolve("pgdata").toString(), "-w", "-t", "60", "-m", "fast",
          "-l", dir.resolve("server.log").toString(), "restart");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server at once, as a crash would ({@code -m immediate}); {@link #startAgain} brings it back on the same port. */
  public void crash() {
    try {
      run(Duration.ofSeconds(30), bin.resolve("pg_ctl").toString(), "-D", dir.resolve("pgdata").toString(), "-w", "-m", "immediate", "stop");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts the server again after {@link #crash}, on the same port and folder (it recovers from its WAL). */
  public void startAgain() {
    startServer();
  }

  /** Stops the server at once, with no checkpoint (it recovers at its next start): for a second Ctrl-C. */
  public void stopNow() {
    stop("immediate", Duration.ofSeconds(10));
  }

  /** pg_ctl stop in {@code mode}, then the guard goes: nothing is left to watch. */
  private void stop(String mode, Duration limit) {
    try {
      run(limit, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("pgdata").toString(), "-w", "-m", mode, "stop");
    } catch (IOException | RuntimeException e) {
      // already stopped
    }
    endGuard();
  }

  private void endGuard() {
    Process g = guard;
    if (g != null) {
      g.descendants().forEach(ProcessHandle::destroyForcibly);
      g.destroyForcibly();
    }
  }

  /** Stops the server fast (open connections are cut); its data stays in the folder. */
  @Override
  public void close() {
    stop("fast", Duration.ofMinutes(1));
  }

  private void run(Duration limit, String... command) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + limit);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(Path.of(command[0]).getFileName() + " failed (exit " + p.exitValue() + "): " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
