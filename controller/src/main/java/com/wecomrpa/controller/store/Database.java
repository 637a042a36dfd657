package com.wecomrpa.controller.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The controller's durable store: a pooled JDBC data source with the schema migrated on open, on
 * the embedded H2 file or a shared PostgreSQL. Every call blocks, so callers run it on a worker
 * thread, never on the event loop.
 */
public final class Database implements AutoCloseable {
  /** How long a statement waits for a row another transaction holds, on both engines. */
  public static final int LOCK_TIMEOUT_MS = 20_000;
  /**
   * How long PostgreSQL lets a session sit inside a transaction doing nothing (ours take
   * milliseconds). A node frozen mid-transaction holds its row locks this long: an agent that left
   * it (after 4 s of silence) is welcomed by another node once they are gone, so this plus 4 s
   * is what the 10 s promise of docs/cluster.md rests on.
   */
  public static final int IDLE_IN_TRANSACTION_MS = 3_000;

  /** One unit of work inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final AutoCloseable closer;
  private final Dialect dialect;
  private SchemaGuard schema;

  private Database(DataSource dataSource, AutoCloseable closer, Dialect dialect) {
    this.dataSource = dataSource;
    this.closer = closer;
    this.dialect = dialect;
  }

  /** The embedded default: an H2 file {@code controller.mv.db} under {@code dataDir}. */
  public static Database embedded(Path dataDir, int maxConnections) {
    try {
      Files.createDirectories(dataDir);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create data directory " + dataDir, e);
    }
    // Hikari, not H2's own pool: that one rolls back every connection it takes back, and a rollback
    // empties the session's cache of parsed statements, so each transaction parsed all of its
    // statements again (a third of the controller's allocation in bench dispatch). Hikari rolls back
    // only a connection handed back in the middle of a transaction.
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(embeddedUrl(dataDir));
    config.setUsername("wecom");
    config.setPassword("");
    // Flyway's migration opens a second connection while its first is held.
    config.setMaximumPoolSize(Math.max(2, maxConnections));
    config.setPoolName("wecom-rpa-embedded");
    HikariDataSource ds = new HikariDataSource(config);
    Database db = new Database(ds, ds::close, Dialect.H2);
    try {
      db.migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return db;
  }

  /** The JDBC URL of the embedded store in {@code dataDir}. */
  public static String embeddedUrl(Path dataDir) {
    // LOCK_TIMEOUT: contended quota rows are waited for, not failed, under concurrent dispatch.
    // Nothing is acknowledged on a commit alone: GroupCommit forces it to disk first (see Dialect.H2).
    // QUERY_CACHE_SIZE: a connection runs some fifty distinct statements; the default keeps 8 parsed.
    // The page cache stays at H2's 16 MiB. Pages written enter it and live there until evicted, so
    // a larger one keeps more of them alive through a young collection, whose pause copies them:
    // with 64 MiB, pauses of 40-70 ms, with 16 MiB 22-30 ms (bench dispatch, 1,000 devices).
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("controller")
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;LOCK_TIMEOUT=" + LOCK_TIMEOUT_MS + ";QUERY_CACHE_SIZE=256"
        + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  /**
   * A shared PostgreSQL at {@code url} ({@code jdbc:postgresql://HOST:PORT/DB}), the pool sized to
   * the worker pool that uses it. Every node of a cluster opens the same one; the first to start
   * migrates it (Flyway serialises concurrent migrations with a lock of its own).
   */
  public static Database postgres(String url, DbCredentials credentials, int maxConnections) {
    if (Dialect.of(url) != Dialect.POSTGRESQL) {
      throw new IllegalArgumentException("not a PostgreSQL URL: " + Dialect.redacted(url));
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(credentials.user());
    config.setPassword(credentials.password());
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(Math.min(2, maxConnections));
    config.setPoolName("wecom-rpa-store");
    // PostgreSQL waits for a row lock forever unless told (H2's URL says the same). And a node
    // frozen mid-transaction (SIGSTOP, a long pause) would hold its row locks for as long as its
    // socket stays open: the server ends a session idle inside a transaction after 3 s, so its
    // locks go and the other nodes carry on; the frozen node's transaction fails when it wakes.
    config.addDataSourceProperty("options", "-c lock_timeout=" + LOCK_TIMEOUT_MS + " -c idle_in_transaction_session_timeout=" + IDLE_IN_TRANSACTION_MS);
    // While the database is away a worker waits at most 2 s for a connection, then the call fails
    // (reports are refused as not stored and sent again by the agent; sweeps and claims pause on
    // readiness): long enough to ride out a busy moment, short enough that nothing queues for long
    // (and Hikari retries a failed connect no more than half this apart, so it finds the database
    // back within a second).
    config.setConnectionTimeout(2_000);
    config.setValidationTimeout(1_000);
    // Idle connections are checked every 30 s (Hikari's least), so those a restart broke are replaced
    // before a worker takes one, and middleboxes do not drop quiet ones.
    config.setKeepaliveTime(30_000);
    config.setInitializationFailTimeout(10_000);
    config.addDataSourceProperty("tcpKeepAlive", "true");
    // A batch of inserts (a broadcast's jobs, a batch of groups) goes as multi-row statements: one
    // executor start for many rows instead of one each. Nothing reads a batch's per-row counts.
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    config.addDataSourceProperty("connectTimeout", "3");
    // A database that stops answering fails calls rather than hanging workers forever.
    config.addDataSourceProperty("socketTimeout", String.valueOf(LOCK_TIMEOUT_MS / 1000 + 40));
    HikariDataSource ds = new HikariDataSource(config);
    Database db = new Database(ds, ds::close, Dialect.POSTGRESQL);
    db.probe = new Probe(url, credentials);
    try {
      db.migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return db;
  }

  /** The store named by {@code --db}: the embedded file when {@code url} is null. */
  public static Database open(String url, DbCredentials credentials, Path dataDir, int maxConnections) {
    return url == null ? embedded(dataDir, maxConnections) : postgres(url, credentials, maxConnections);
  }

  private void migrate() {
    schema = SchemaGuard.migrate(dataSource, System.currentTimeMillis());
  }

  /**
   * Why this node must not act on the store: another node has migrated it to a schema newer than
   * this build knows. Empty while it knows the schema.
   */
  public java.util.Optional<String> schemaAhead() {
    Probe p = probe;
    try {
      if (p != null) {
        return p.ask(schema::ahead);
      }
      try (Connection c = dataSource.getConnection()) {
        return schema.ahead(c);
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  public <T> T inTransaction(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  /**
   * Runs {@code work} with each statement its own transaction, committed as it ends: for work of
   * one statement, which then costs no round trip for a commit of its own.
   */
  public <T> T eachStatementCommitted(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  private volatile Probe probe;

  /**
   * Whether the database answers within about a second, on a connection of the probe's own (never
   * one from the pool, which a database away keeps busy for seconds). Embedded: a pool connection.
   */
  public boolean answers() {
    Probe p = probe;
    return p == null ? reachable(1) : p.answers();
  }

  /** Whether the database answers within {@code seconds}. */
  public boolean reachable(int seconds) {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(seconds);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /** Whether {@link #forceToDisk()} does anything: false where a commit is already on disk. */
  public boolean needsForce() {
    return dialect.forceToDiskSql() != null;
  }

  /** Forces everything committed so far to the disk itself (fsync), past the OS cache. */
  public void forceToDisk() {
    if (needsForce()) {
      inTransaction(c -> Sql.update(c, dialect.forceToDiskSql()));
    }
  }

  @Override
  public void close() {
    Probe p = probe;
    if (p != null) {
      p.close();
    }
    try {
      closer.close();
    } catch (Exception e) {
      throw new StoreException(e);
    }
  }

  /** A database failure the caller cannot fix by changing its input. */
  public static final class StoreException extends RuntimeException {
    public StoreException(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }
}
