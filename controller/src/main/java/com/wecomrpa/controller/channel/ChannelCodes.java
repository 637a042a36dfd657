package com.wecomrpa.controller.channel;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Channel codes, one per staff member and place: a customer added through a code belongs to the
 * code's account, comes from its source, gets its tags and starts its welcome plan. The report
 * follows each code's customers: added, still there, and their orders and revenue since.
 */
public final class ChannelCodes {
  /** A code as submitted and stored. */
  public record Code(String code, String accountId, String source, List<String> tags, String welcomePlan) {}

  /** One row of the report: per code or per account. */
  public record ReportRow(String key, String accountId, long added, long stillThere, long orders, BigDecimal revenue) {}

  private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

  private final Database db;
  private final AuditLog audit;
  private final ObjectMapper json = WireCodec.mapper();

  public ChannelCodes(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  public Code put(String code, Code spec, Caller actor, Instant now) {
    Fields.id("code", code);
    if (spec == null) {
      throw Rejected.invalid("body", "body must be a channel code");
    }
    if (spec.code() != null && !spec.code().equals(code)) {
      throw Rejected.invalid("code", "code in the body (" + spec.code() + ") differs from the path (" + code + ")");
    }
    String account = Fields.id("accountId", spec.accountId());
    String source = Fields.maxLength("source", Fields.required("source", spec.source()), 64);
    List<String> tags = spec.tags() == null ? List.of() : spec.tags();
    for (int i = 0; i < tags.size(); i++) {
      Fields.maxLength("tags[" + i + "]", Fields.required("tags[" + i + "]", tags.get(i)), 64);
    }
    Code checked = new Code(code, account, source, List.copyOf(tags), spec.welcomePlan());
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", account) == 0) {
        throw Rejected.notFound("accountId", "account " + account + " not found");
      }
      if (checked.welcomePlan() != null
          && Sql.count(c, "SELECT COUNT(*) FROM plans WHERE id = ? AND kind = 'customer' AND status <> 'deleted'", checked.welcomePlan()) == 0) {
        throw Rejected.notFound("welcomePlan", "welcomePlan: no customer plan " + checked.welcomePlan());
      }
      Optional<Code> old = find(c, code);
      if (old.isPresent()) {
        Sql.update(c, "UPDATE channel_codes SET account_id = ?, source = ?, tags = ?, welcome_plan = ?, updated_at = ? WHERE code = ?",
            account, source, write(checked.tags()), checked.welcomePlan(), now.toEpochMilli(), code);
      } else {
        Sql.update(c, "INSERT INTO channel_codes (code, account_id, source, tags, welcome_plan, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            code, account, source, write(checked.tags()), checked.welcomePlan(), now.toEpochMilli(), now.toEpochMilli());
      }
      audit.record(c, actor, "channel-code.put", "channel-codes/" + code, old.map(this::write).orElse(null), write(checked), null, now);
      return checked;
    });
  }

  public List<Code> list() {
    return db.inTransaction(c -> Sql.list(c, "SELECT code, account_id, source, tags, welcome_plan FROM channel_codes ORDER BY code", this::code));
  }

  public static Optional<Code> find(Connection c, String code) throws SQLException {
    ChannelCodes reader = new ChannelCodes(null, null);
    return Sql.one(c, "SELECT code, account_id, source, tags, welcome_plan FROM channel_codes WHERE code = ?", reader::code, code);
  }

  /**
   * Per code and per account: customers added between {@code from} and {@code to}, how many are
   * still there (not deleted or blocked), and their paid orders and revenue since they were added.
   */
  public Map<String, List<ReportRow>> report(Instant from, Instant to) {
    return db.inTransaction(c -> {
      String base = "FROM customers cu LEFT JOIN orders o ON o.customer_id = cu.id AND o.status = 'paid' AND o.ordered_at >= cu.added_at "
          + "WHERE cu.channel_code IS NOT NULL AND cu.added_at >= ? AND cu.added_at < ? ";
      String sums = "COUNT(DISTINCT cu.id), COUNT(DISTINCT CASE WHEN cu.status = 'active' THEN cu.id END), COUNT(o.id), COALESCE(SUM(o.amount_cents), 0) ";
      Map<String, List<ReportRow>> out = new LinkedHashMap<>();
      out.put("byCode", Sql.list(c, "SELECT cu.channel_code, MIN(cu.account_id), " + sums + base + "GROUP BY cu.channel_code ORDER BY cu.channel_code",
          rs -> new ReportRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), BigDecimal.valueOf(rs.getLong(6), 2)),
          from.toEpochMilli(), to.toEpochMilli()));
      out.put("byAccount", Sql.list(c, "SELECT cu.account_id, cu.account_id, " + sums + base + "GROUP BY cu.account_id ORDER BY cu.account_id",
          rs -> new ReportRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), BigDecimal.valueOf(rs.getLong(6), 2)),
          from.toEpochMilli(), to.toEpochMilli()));
      return out;
    });
  }

  private Code code(java.sql.ResultSet rs) throws SQLException {
    try {
      return new Code(rs.getString(1), rs.getString(2), rs.getString(3), WireCodec.mapper().readValue(rs.getString(4), LIST), rs.getString(5));
    } catch (java.io.IOException e) {
      throw new SQLException("unreadable tags of channel code " + rs.getString(1), e);
    }
  }

  private String write(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
