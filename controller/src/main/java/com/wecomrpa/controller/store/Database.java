package com.wecomrpa.controller.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The controller's durable store: a pooled JDBC data source with the schema migrated on open. Every
 * call blocks, so callers run it on a worker thread, never on the event loop.
 */
public final class Database implements AutoCloseable {
  /** One unit of work inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final AutoCloseable closer;

  private Database(DataSource dataSource, AutoCloseable closer) {
    this.dataSource = dataSource;
    this.closer = closer;
  }

  /** The embedded default: an H2 file {@code controller.mv.db} under {@code dataDir}. */
  public static Database embedded(Path dataDir, int maxConnections) {
    try {
      Files.createDirectories(dataDir);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create data directory " + dataDir, e);
    }
    // LOCK_TIMEOUT: contended quota rows are waited for, not failed, under concurrent dispatch.
    // H2 keeps commits in memory up to its write delay (500 ms): a commit that returned is not yet
    // on disk, and SIGKILL loses it (measured: up to 150 acknowledged commits). Nothing is
    // acknowledged on a commit alone: GroupCommit forces it to disk first, many commits per fsync.
    String url =
        "jdbc:h2:file:"
            + dataDir.toAbsolutePath().resolve("controller")
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;LOCK_TIMEOUT=20000;DB_CLOSE_ON_EXIT=FALSE";
    JdbcConnectionPool pool = JdbcConnectionPool.create(url, "wecom", "");
    pool.setMaxConnections(maxConnections);
    Database db = new Database(pool, pool::dispose);
    db.migrate();
    return db;
  }

  private void migrate() {
    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
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

  /** Forces everything committed so far to the disk itself (fsync), past the OS cache. */
  public void forceToDisk() {
    inTransaction(c -> Sql.update(c, "CHECKPOINT SYNC"));
  }

  @Override
  public void close() {
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
