package com.wecomrpa.controller.account;

import com.wecomrpa.controller.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/** Accounts in the controller's database. */
public final class JdbcAccountStore {
  private static final String COLUMNS =
      "id, platform, display_name, time_zone, status, group_count, created_at";

  private final Database db;

  public JdbcAccountStore(Database db) {
    this.db = db;
  }

  public Account create(Account a) {
    return db.inTransaction(
        c -> {
          if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", a.id()) > 0) {
            throw Rejected.conflict("id", "account " + a.id() + " already exists");
          }
          Sql.update(
              c,
              "INSERT INTO accounts (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, 0, ?)",
              a.id(),
              a.platform(),
              a.displayName(),
              a.timeZone(),
              a.status(),
              a.createdAt().toEpochMilli());
          return a;
        });
  }

  public Optional<Account> find(String id) {
    return db.inTransaction(
        c -> Sql.one(c, "SELECT " + COLUMNS + " FROM accounts WHERE id = ?", JdbcAccountStore::row, id));
  }

  public List<Account> list() {
    return db.inTransaction(
        c -> Sql.list(c, "SELECT " + COLUMNS + " FROM accounts ORDER BY id", JdbcAccountStore::row));
  }

  /** The zone an account's calendar days are counted in. */
  public static ZoneId zoneOf(java.sql.Connection c, String accountId) throws SQLException {
    return Sql.one(c, "SELECT time_zone FROM accounts WHERE id = ?", rs -> ZoneId.of(rs.getString(1)), accountId)
        .orElseThrow(() -> Rejected.notFound("accountId", "account " + accountId + " not found"));
  }

  static Account row(ResultSet rs) throws SQLException {
    return new Account(
        rs.getString("id"),
        rs.getString("platform"),
        rs.getString("display_name"),
        rs.getString("time_zone"),
        rs.getString("status"),
        rs.getInt("group_count"),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }
}
