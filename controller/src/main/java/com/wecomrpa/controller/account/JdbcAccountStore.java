package com.wecomrpa.controller.account;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import java.sql.Connection;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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
          for (String tag : a.tags()) {
            Sql.update(c, "INSERT INTO account_tags (account_id, tag) VALUES (?, ?)", a.id(), tag);
          }
          return a;
        });
  }

  public Optional<Account> find(String id) {
    return db.inTransaction(c -> find(c, id));
  }

  public static Optional<Account> find(Connection c, String id) throws SQLException {
    return Sql.one(c, "SELECT " + COLUMNS + " FROM accounts WHERE id = ?", rs -> row(c, rs), id);
  }

  public List<Account> list() {
    return db.inTransaction(c -> Sql.list(c, "SELECT " + COLUMNS + " FROM accounts ORDER BY id", rs -> row(c, rs)));
  }

  /** Pauses or resumes an account by hand (paused, active), audited. */
  public Account setStatus(Caller actor, String id, String status, String reason, AuditLog audit, Instant now) {
    return db.inTransaction(
        c -> {
          Account a = find(c, id).orElseThrow(() -> Rejected.notFound("id", "account " + id + " not found"));
          AccountStatus.setByHand(c, id, status);
          audit.record(c, actor, "account." + (status.equals("active") ? "resume" : "pause"), id, a.status(), status, reason, now);
          return find(c, id).orElseThrow();
        });
  }

  static Account row(Connection c, ResultSet rs) throws SQLException {
    String id = rs.getString("id");
    return new Account(
        id,
        rs.getString("platform"),
        rs.getString("display_name"),
        rs.getString("time_zone"),
        rs.getString("status"),
        rs.getInt("group_count"),
        Sql.list(c, "SELECT tag FROM account_tags WHERE account_id = ? ORDER BY tag", r -> r.getString(1), id),
        Instant.ofEpochMilli(rs.getLong("created_at")));
  }
}
