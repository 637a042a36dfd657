package com.wecomrpa.controller.store;

import java.sql.SQLException;

/**
 * What differs between the two engines the controller runs on, and nothing else: the embedded H2
 * file and a shared PostgreSQL. Every other statement is the same SQL on both.
 */
public enum Dialect {
  /**
   * H2 keeps commits in memory up to its write delay (500 ms): a commit that returned is not yet on
   * disk, and SIGKILL loses it (measured: up to 150 acknowledged commits). {@code CHECKPOINT SYNC}
   * writes and fsyncs everything committed so far.
   */
  H2("CHECKPOINT SYNC"),
  /** A commit returns once its WAL record is flushed (synchronous_commit on): nothing to force. */
  POSTGRESQL(null);

  private final String forceToDisk;

  Dialect(String forceToDisk) {
    this.forceToDisk = forceToDisk;
  }

  public static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException("--db must be jdbc:postgresql://HOST:PORT/DATABASE (or empty for the embedded store), was " + redacted(jdbcUrl));
  }

  /** The engine behind an open connection (its metadata is the driver's own: no round trip). */
  public static Dialect of(java.sql.Connection c) throws SQLException {
    return c.getMetaData().getURL().startsWith("jdbc:postgresql:") ? POSTGRESQL : H2;
  }

  /** The statement that puts every commit so far on disk, or null where a commit already is. */
  public String forceToDiskSql() {
    return forceToDisk;
  }

  /** The insert, made to do nothing where its {@code key} columns are taken when the database can say so in SQL. */
  public String insertUnlessTaken(String insert, String key) {
    return skipsTakenKeys() ? insert + " ON CONFLICT (" + key + ") DO NOTHING" : insert;
  }

  /** Whether {@link #insertUnlessTaken} skips a taken key itself (PostgreSQL); otherwise the caller checks first (H2, one node). */
  public boolean skipsTakenKeys() {
    return this == POSTGRESQL;
  }

  /** The database's own clock in epoch milliseconds, as an SQL expression (one clock for all nodes). */
  public String nowMillis() {
    return this == H2
        ? "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)"
        : "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
  }

  /** A unique or primary key was violated (the same SQLState on both engines). */
  public static boolean duplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  /** A JDBC URL fit for a log line: no password parameter. */
  public static String redacted(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /**
   * SQL saying "{@code column} is one of {@code values}", their arguments added to {@code args}: on
   * PostgreSQL one array (one statement text and one cached plan however many there are; a list of
   * each length is a statement planned afresh), on H2 a list of parameters.
   */
  public String oneOf(String column, java.util.List<String> values, java.util.List<Object> args) {
    if (this == POSTGRESQL) {
      args.add(values.toArray(new String[0]));
      return column + " = ANY(?)";
    }
    args.addAll(values);
    return column + " IN (" + String.join(", ", java.util.Collections.nCopies(values.size(), "?")) + ")";
  }
}
