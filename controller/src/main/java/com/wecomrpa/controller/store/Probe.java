package com.wecomrpa.controller.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A cheap question to PostgreSQL on a connection of its own, with a one-second connect and socket
 * timeout: readiness asks it four times a second. The connection is kept while it works and opened
 * anew after a failure, so a restarted server is seen at the first question after it is back.
 */
final class Probe implements AutoCloseable {
  private final String url;
  private final Properties props = new Properties();
  private Connection connection;

  Probe(String url, DbCredentials credentials) {
    this.url = url;
    if (credentials.user() != null) {
      props.setProperty("user", credentials.user());
    }
    if (credentials.password() != null) {
      props.setProperty("password", credentials.password());
    }
    props.setProperty("connectTimeout", "1");
    props.setProperty("socketTimeout", "1");
    props.setProperty("loginTimeout", "1");
    props.setProperty("ApplicationName", "wecom-rpa readiness");
  }

  synchronized boolean answers() {
    try {
      if (connection == null) {
        connection = DriverManager.getConnection(url, props);
      }
      try (Statement s = connection.createStatement()) {
        s.setQueryTimeout(1);
        s.execute("SELECT 1");
      }
      return true;
    } catch (SQLException | RuntimeException e) {
      close();
      return false;
    }
  }

  /** What a question reads on the probe's connection; when it fails the connection is opened anew next time. */
  interface Question<T> {
    T ask(Connection c) throws SQLException;
  }

  /**
   * Asks on the probe's own connection, so a question readiness asks (the schema's version) never
   * waits for the pool, which may sleep in its reconnect wait after the database came back.
   */
  synchronized <T> T ask(Question<T> q) throws SQLException {
    try {
      if (connection == null) {
        connection = DriverManager.getConnection(url, props);
      }
      return q.ask(connection);
    } catch (SQLException | RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // broken already
      }
      connection = null;
    }
  }
}
