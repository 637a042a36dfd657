package com.wecomrpa.controller.store;

import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * A schema version that changes PostgreSQL only (what the embedded store has no form of, such as
 * partial indexes and fill factors): on the embedded store it is recorded and does nothing, so both
 * stores keep one numbering. The checksum is the version: the statements of a released version
 * never change.
 */
abstract class PostgresMigration implements JavaMigration {
  private final int version;
  private final String description;
  private final List<String> statements;

  /** {@code statements} run in order in one transaction. */
  PostgresMigration(int version, String description, List<String> statements) {
    this.version = version;
    this.description = description;
    this.statements = List.copyOf(statements);
  }

  @Override
  public final MigrationVersion getVersion() {
    return MigrationVersion.fromVersion(String.valueOf(version));
  }

  @Override
  public final String getDescription() {
    return description;
  }

  @Override
  public final Integer getChecksum() {
    return version;
  }

  @Override
  public final boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public final void migrate(Context context) throws Exception {
    if (Dialect.of(context.getConnection()) != Dialect.POSTGRESQL) {
      return;
    }
    try (Statement s = context.getConnection().createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
