package com.wecomrpa.controller.store;

import com.wecomrpa.protocol.Release;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * Keeps a node off a schema it does not know. Flyway leaves migrations from a newer release alone
 * (they are "future" to it) and would let an old node run on the new tables: at open the node
 * refuses instead, naming both releases, and a running node checks again (a newer node sharing the
 * database may migrate it under it). Each release that opens the store is recorded.
 */
public final class SchemaGuard {
  private final int known;

  private SchemaGuard(int known) {
    this.known = known;
  }

  /** Refuses a store migrated past what this build knows, then migrates it and records this release. */
  static SchemaGuard migrate(DataSource dataSource, long nowMillis) {
    Flyway flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
        .javaMigrations(new PartialJobIndexes(), new LeanExecutions()).load();
    MigrationInfo[] all = flyway.info().all();
    int known = Arrays.stream(all).filter(m -> m.getVersion() != null && !isFuture(m.getState()))
        .mapToInt(m -> Integer.parseInt(m.getVersion().getVersion())).max().orElse(0);
    SchemaGuard guard = new SchemaGuard(known);
    Optional<Integer> future = Arrays.stream(all).filter(m -> isFuture(m.getState()))
        .map(m -> Integer.parseInt(m.getVersion().getVersion())).max(Integer::compare);
    if (future.isPresent()) {
      try (Connection c = dataSource.getConnection()) {
        throw new IllegalStateException(guard.refusal(c, future.get()));
      } catch (SQLException e) {
        throw new Database.StoreException(e);
      }
    }
    flyway.migrate();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      String release = Release.current().describe();
      try (PreparedStatement up = c.prepareStatement("UPDATE store_releases SET last_started_at = ?, schema_version = ? WHERE release = ?")) {
        up.setLong(1, nowMillis);
        up.setInt(2, known);
        up.setString(3, release);
        if (up.executeUpdate() == 0) {
          try (PreparedStatement in = c.prepareStatement(
              "INSERT INTO store_releases (release, schema_version, first_started_at, last_started_at) VALUES (?, ?, ?, ?)")) {
            in.setString(1, release);
            in.setInt(2, known);
            in.setLong(3, nowMillis);
            in.setLong(4, nowMillis);
            in.executeUpdate();
          }
        }
      }
    } catch (SQLException e) {
      // Two nodes of one release starting together both insert; the record is the same either way.
      if (!"23505".equals(e.getSQLState())) {
        throw new Database.StoreException(e);
      }
    }
    return guard;
  }

  private static boolean isFuture(MigrationState state) {
    return state == MigrationState.FUTURE_SUCCESS || state == MigrationState.FUTURE_FAILED;
  }

  /** The newest schema version this build knows. */
  public int known() {
    return known;
  }

  /** Why this node must not act on the store, if its schema has moved past what this build knows. */
  Optional<String> ahead(Connection c) throws SQLException {
    int version;
    try (PreparedStatement s = c.prepareStatement("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL");
        ResultSet rs = s.executeQuery()) {
      version = 0;
      while (rs.next()) {
        version = Math.max(version, Integer.parseInt(rs.getString(1)));
      }
    }
    return version > known ? Optional.of(refusal(c, version)) : Optional.empty();
  }

  private String refusal(Connection c, int version) throws SQLException {
    String by = "a newer release";
    try (PreparedStatement s = c.prepareStatement(
        "SELECT release FROM store_releases WHERE schema_version >= ? ORDER BY schema_version, first_started_at")) {
      s.setInt(1, version);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          by = "wecom-rpa " + rs.getString(1);
        }
      }
    } catch (SQLException e) {
      // a store from before the record: "a newer release" is all that can be said
    }
    return "the store's schema is at version " + version + " (migrated by " + by + "), newer than this node knows (version " + known
        + ", wecom-rpa " + Release.current().describe() + "): upgrade this node to that release, or open a store of its own release"
        + " (docs/operations.md: Upgrading a farm)";
  }
}
