package com.wecomrpa.controller.store;

import com.wecomrpa.controller.ControllerOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The engine the storage tests run on: the embedded H2 file by default, a real PostgreSQL (Debian's
 * package, one private server per test JVM on loopback) with {@code -Dwecom-rpa.test.engine=postgres}.
 * Each test folder gets a database of its own, the same one again when a test reopens that folder.
 */
public final class TestStores {
  public static final String ENGINE = System.getProperty("wecom-rpa.test.engine", "h2");
  private static final Map<Path, String> DATABASES = new HashMap<>();
  private static LocalPostgres server;
  private static int created;

  private TestStores() {}

  public static boolean postgres() {
    return ENGINE.equals("postgres");
  }

  /** The store a test opens on {@code dir}, on the engine under test. */
  public static Database open(Path dir, int maxConnections) {
    return postgres() ? Database.postgres(urlFor(dir), server().credentials(), maxConnections) : Database.embedded(dir, maxConnections);
  }

  /**
   * {@code options} pointed at the engine under test (its data folder names the database); a test
   * that chose a database of its own (a server it stops and starts) keeps it.
   */
  public static ControllerOptions on(ControllerOptions options) {
    return postgres() && options.dbUrl() == null ? options.withDb(urlFor(options.dataDir()), server().credentials()) : options;
  }

  /** A new, empty PostgreSQL database on the test server (whatever the engine under test). */
  public static synchronized String freshPostgres() {
    return server().database("t" + (++created) + "_" + ProcessHandle.current().pid());
  }

  public static synchronized LocalPostgres server() {
    if (server == null) {
      server = LocalPostgres.startTemporaryUnflushed("wecom-rpa-test-pg-");
      Runtime.getRuntime().addShutdownHook(new Thread(server::discard));
    }
    return server;
  }

  private static synchronized String urlFor(Path dir) {
    return DATABASES.computeIfAbsent(dir.toAbsolutePath(), d -> freshPostgres());
  }
}
