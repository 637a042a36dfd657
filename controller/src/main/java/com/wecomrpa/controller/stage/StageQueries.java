package com.wecomrpa.controller.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The stage rules' history and the moves they made, as the console and the API read them. */
public final class StageQueries {
  /** One saved version of the rules. */
  public record Version(int version, List<StageRules.RuleSpec> rules, String note, String savedBy, String savedAt) {}

  /** One move of a customer between stages; {@code ruleVersion} is null for a move a CRM event made. */
  public record Move(String from, String to, String rule, Integer ruleVersion, String cause, String at) {}

  /** A customer's stage, their facts today and every move, newest first. */
  public record Journey(String customerId, String accountId, String stage, Map<String, Object> facts, List<Move> transitions) {}

  /** A move as it is followed along: which, whose, in what order. */
  public record Transition(long id, String customerId, String accountId, String from, String to, String rule, Integer ruleVersion, String cause,
      String at) {}

  private final Database db;
  private final ObjectMapper json = WireCodec.mapper();

  public StageQueries(Database db) {
    this.db = db;
  }

  /** Every saved version, newest first. */
  public List<Version> versions() {
    return db.inTransaction(c -> Sql.list(c, "SELECT version, spec, note, saved_by, saved_at FROM stage_rule_versions ORDER BY version DESC",
        rs -> new Version(rs.getInt(1), spec(rs.getString(2)).rules(), rs.getString(3), rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)).toString())));
  }

  /** A customer's stage, how long they have been in it, their facts today and every move, newest first. */
  public Journey journey(String customerId, Instant now) {
    return db.inTransaction(c -> {
      Customer cu = Customers.find(c, customerId).orElseThrow(() -> Rejected.notFound("id", "customer " + customerId + " not found"));
      List<Facts.Subject> me = Facts.load(c, "cu.id = ?", now, customerId);
      List<Move> moves = Sql.list(c,
          "SELECT from_stage, to_stage, rule_name, rule_version, cause, at FROM stage_transitions WHERE customer_id = ? ORDER BY id DESC LIMIT 200",
          rs -> new Move(rs.getString(1), rs.getString(2), rs.getString(3), version(rs, 4), rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)).toString()),
          customerId);
      return new Journey(cu.id(), cu.accountId(), cu.stage(), me.isEmpty() ? null : StageRules.describe(me.get(0).facts()), moves);
    });
  }

  /** Stage moves after {@code afterId} in the order they happened, for reports and for following along. */
  public List<Transition> transitions(long afterId, int limit) {
    return db.inTransaction(c -> Sql.list(c,
        "SELECT id, customer_id, account_id, from_stage, to_stage, rule_name, rule_version, cause, at FROM stage_transitions WHERE id > ? ORDER BY id LIMIT " + limit,
        rs -> new Transition(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), version(rs, 7), rs.getString(8),
            Instant.ofEpochMilli(rs.getLong(9)).toString()),
        afterId));
  }

  /** The last day each account's daily sweep ran for (its zone). */
  public Map<String, String> sweptDays() {
    return db.inTransaction(c -> {
      Map<String, String> m = new java.util.TreeMap<>();
      for (String[] r : Sql.list(c, "SELECT account_id, swept_day FROM stage_sweeps", rs -> new String[] {rs.getString(1), rs.getDate(2).toLocalDate().toString()})) {
        m.put(r[0], r[1]);
      }
      return m;
    });
  }

  private static Integer version(ResultSet rs, int column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  private StageRules.Spec spec(String s) {
    try {
      return json.readValue(s, StageRules.Spec.class);
    } catch (Exception e) {
      throw new IllegalStateException("stored stage rules unreadable", e);
    }
  }
}
