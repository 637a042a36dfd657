package com.wecomrpa.controller.limits;

import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Limit overrides at three levels (global, account tag, single account; a customer cadence at
 * global, customer tag and stage) over the built-in
 * defaults, and their resolution: account beats tag beats global beats default; among several
 * tags the stricter value wins. Every change is audited in the same transaction.
 */
public final class JdbcLimitStore {
  /** Scope of a customer cadence set for the customers with one tag. */
  public static final String CUSTOMER_TAG = "customer-tag";
  /** Scope of a customer cadence set for the customers in one stage. */
  public static final String STAGE = "stage";

  private static final Pattern HOURS = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d-(([01]\\d|2[0-3]):[0-5]\\d|24:00)");

  private final Database db;
  private final AuditLog audit;
  private final Map<LimitName, String> defaults = new LinkedHashMap<>();
  private final Duration paceFloor;

  /** The unpaced profile's defaults (store tests that count, not pace), with the two configured caps. */
  public JdbcLimitStore(Database db, AuditLog audit, int maxGroups, int postsPerGroupPerDay) {
    this(db, audit, maxGroups, postsPerGroupPerDay, LimitProfile.UNPACED);
  }

  /** Defaults of {@code profile}, except the two caps the controller's configuration sets. */
  public JdbcLimitStore(Database db, AuditLog audit, int maxGroups, int postsPerGroupPerDay, LimitProfile profile) {
    this.db = db;
    this.audit = audit;
    this.paceFloor = profile.paceFloor();
    for (LimitName n : LimitName.values()) {
      defaults.put(n, n.fallback(profile));
    }
    defaults.put(LimitName.MAX_GROUPS, String.valueOf(maxGroups));
    defaults.put(LimitName.POSTS_PER_GROUP_PER_DAY, String.valueOf(postsPerGroupPerDay));
  }

  /** The least gap between two actions of one account under this controller's profile. */
  public Duration paceFloor() {
    return paceFloor;
  }

  /** Sets (or with null, removes) overrides at one scope; all or nothing, each change audited. */
  public Map<String, String> put(Caller actor, String scope, String key, Map<String, String> values, String reason, Instant now) {
    if (values == null || values.isEmpty()) {
      throw Rejected.invalid("values", "values must name at least one limit");
    }
    Fields.maxLength("reason", reason, 500);
    for (Map.Entry<String, String> e : values.entrySet()) {
      LimitName n = LimitName.fromKey(e.getKey());
      if (n == null) {
        throw Rejected.invalid("values." + e.getKey(), "unknown limit " + e.getKey() + "; known: " + keys());
      }
      boolean customerScope = scope.equals(CUSTOMER_TAG) || scope.equals(STAGE);
      if (customerScope && n != LimitName.CUSTOMER_CADENCE) {
        throw Rejected.invalid("values." + e.getKey(), "values." + e.getKey() + ": a customer tag or a stage sets customerCadence only");
      }
      if (!customerScope && !scope.equals("global") && n == LimitName.CUSTOMER_CADENCE) {
        throw Rejected.invalid("values." + e.getKey(), "values." + e.getKey() + " is set globally, per customer tag or per stage, not per account");
      }
      if (e.getValue() != null) {
        check(n, "values." + e.getKey(), e.getValue());
      }
    }
    return db.inTransaction(
        c -> {
          if (scope.equals("account") && Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", key) == 0) {
            throw Rejected.notFound("accountId", "account " + key + " not found");
          }
          for (Map.Entry<String, String> e : values.entrySet()) {
            String old = Sql.one(c, "SELECT setting FROM limit_settings WHERE scope = ? AND scope_key = ? AND name = ?",
                rs -> rs.getString(1), scope, key, e.getKey()).orElse(null);
            Sql.update(c, "DELETE FROM limit_settings WHERE scope = ? AND scope_key = ? AND name = ?", scope, key, e.getKey());
            if (e.getValue() != null) {
              Sql.update(c, "INSERT INTO limit_settings (scope, scope_key, name, setting) VALUES (?, ?, ?, ?)", scope, key, e.getKey(), e.getValue().trim());
            }
            audit.record(c, actor, "limit.set", scope + (scope.equals("global") ? "" : ":" + key) + " " + e.getKey(), old, e.getValue(), reason, now);
          }
          return overrides(c, scope, key);
        });
  }

  /** Every override by scope, and the defaults under them. */
  public Map<String, Object> all() {
    return db.inTransaction(
        c -> {
          Map<String, Object> out = new LinkedHashMap<>();
          Map<String, String> d = new LinkedHashMap<>();
          defaults.forEach((n, v) -> d.put(n.key(), v));
          out.put("defaults", d);
          out.put("global", overrides(c, "global", "*"));
          Map<String, Map<String, Map<String, String>>> byScope = new LinkedHashMap<>();
          for (String scope : List.of("tag", "account", CUSTOMER_TAG, STAGE)) {
            byScope.put(scope, new TreeMap<>());
          }
          for (String[] r : Sql.list(c, "SELECT scope, scope_key, name, setting FROM limit_settings WHERE scope <> 'global' ORDER BY scope_key, name",
              rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)})) {
            byScope.get(r[0]).computeIfAbsent(r[1], k -> new LinkedHashMap<>()).put(r[2], r[3]);
          }
          out.put("tags", byScope.get("tag"));
          out.put("accounts", byScope.get("account"));
          out.put("customerTags", byScope.get(CUSTOMER_TAG));
          out.put("stages", byScope.get(STAGE));
          return out;
        });
  }

  public EffectiveLimits effective(String accountId, Instant now) {
    return db.inTransaction(c -> effective(c, accountId, now));
  }

  /** The limits that apply to one account now (warm-up depends on how long it has existed). */
  public EffectiveLimits effective(Connection c, String accountId, Instant now) throws SQLException {
    return effective(accountId, Sql.list(c, EFFECTIVE_SQL, EffectiveRow.READ, accountId), now);
  }

  // One read for the account's age and every setting that can apply to it (global, its tags',
  // its own): a claim asks this for each lease, so each round trip counts on a networked store.
  private static final String EFFECTIVE_FROM =
      "SELECT a.created_at, s.scope, s.scope_key, s.name, s.setting, a.id FROM accounts a LEFT JOIN limit_settings s ON (s.scope = 'global' AND s.scope_key = '*')"
          + " OR (s.scope = 'account' AND s.scope_key = a.id) OR (s.scope = 'tag' AND s.scope_key IN (SELECT t.tag FROM account_tags t WHERE t.account_id = a.id))";

  private static final String EFFECTIVE_SQL = EFFECTIVE_FROM + " WHERE a.id = ? ORDER BY s.scope_key, s.name";

  /** A row of the effective limits' read: the account's age and one setting that may apply. */
  public record EffectiveRow(long createdAt, String scope, String scopeKey, String name, String setting) {
    static final Sql.Row<EffectiveRow> READ = rs -> new EffectiveRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5));
  }

  /** The effective limits' read, to send beside other reads of a claim ({@link Sql#lists}). */
  public static Sql.Read<EffectiveRow> effectiveRead(String accountId) {
    return new Sql.Read<>(EFFECTIVE_SQL, EffectiveRow.READ, List.of(accountId));
  }

  /**
   * {@link #effectiveRead} for the accounts of {@code ids} (a varchar array) at once: rows of
   * {account id, row}, each account's in the order its own read gives.
   */
  public static Sql.Read<Object[]> effectiveReadAll(java.sql.Array ids) {
    return new Sql.Read<>(EFFECTIVE_FROM + " WHERE a.id = ANY(?) ORDER BY a.id, s.scope_key, s.name",
        rs -> new Object[] {rs.getString(6), EffectiveRow.READ.map(rs)}, List.of(ids));
  }

  /** The limits that apply to one account now, from the rows of {@link #effectiveRead}. */
  public EffectiveLimits effective(String accountId, List<EffectiveRow> read, Instant now) {
    if (read.isEmpty()) {
      throw Rejected.notFound("accountId", "account " + accountId + " not found");
    }
    long createdAt = read.get(0).createdAt();
    Map<String, EffectiveLimits.Value> values = new LinkedHashMap<>();
    defaults.forEach((n, v) -> values.put(n.key(), new EffectiveLimits.Value(v, "default")));
    Map<String, EffectiveLimits.Value> fromTags = new LinkedHashMap<>();
    Map<String, EffectiveLimits.Value> own = new LinkedHashMap<>();
    for (EffectiveRow r : read) {
      if (r.scope() == null) {
        continue; // the account has no setting of any scope
      }
      String k = r.name();
      String v = r.setting();
      switch (r.scope()) {
        case "global" -> values.put(k, new EffectiveLimits.Value(v, "global"));
        case "account" -> own.put(k, new EffectiveLimits.Value(v, "account"));
        default -> {
          // Several tags set the same limit: the stricter holds (the first tag by name on a tie).
          EffectiveLimits.Value prior = fromTags.get(k);
          LimitName n = LimitName.fromKey(k);
          if (prior == null || !n.stricter(prior.value(), v).equals(prior.value())) {
            fromTags.put(k, new EffectiveLimits.Value(v, "tag:" + r.scopeKey()));
          }
        }
      }
    }
    values.putAll(fromTags);
    values.putAll(own);

    int warmupDays = Integer.parseInt(values.get(LimitName.WARMUP_DAYS.key()).value());
    if (warmupDays > 0 && Duration.between(Instant.ofEpochMilli(createdAt), now).toDays() < warmupDays) {
      int percent = Integer.parseInt(values.get(LimitName.WARMUP_PERCENT.key()).value());
      for (LimitName n : LimitName.values()) {
        if (n.warmedUp()) {
          EffectiveLimits.Value v = values.get(n.key());
          int scaled = Math.max(1, Integer.parseInt(v.value()) * percent / 100);
          values.put(n.key(), new EffectiveLimits.Value(String.valueOf(scaled), v.source() + "+warm-up"));
        }
      }
    }
    return new EffectiveLimits(accountId, values);
  }

  /**
   * The cadence for a customer in {@code stage} with {@code tags}: the stage's beats the tags' (the
   * stricter among several) beats the global beats the default, as account, tag and global do for
   * an account's limits.
   */
  public CadenceRate.ForCustomer cadenceFor(Connection c, String stage, java.util.Collection<String> tags) throws SQLException {
    String key = LimitName.CUSTOMER_CADENCE.key();
    if (stage != null) {
      Optional<String> s = setting(c, STAGE, stage, key);
      if (s.isPresent()) {
        return new CadenceRate.ForCustomer(CadenceRate.parse(s.get()), "stage:" + stage);
      }
    }
    String best = null;
    String bestTag = null;
    for (String tag : new java.util.TreeSet<>(tags)) {
      Optional<String> s = setting(c, CUSTOMER_TAG, tag, key);
      if (s.isPresent() && (best == null || !LimitName.CUSTOMER_CADENCE.stricter(best, s.get()).equals(best))) {
        best = s.get();
        bestTag = tag;
      }
    }
    if (best != null) {
      return new CadenceRate.ForCustomer(CadenceRate.parse(best), "customer-tag:" + bestTag);
    }
    Optional<String> global = setting(c, "global", "*", key);
    return global.map(g -> new CadenceRate.ForCustomer(CadenceRate.parse(g), "global"))
        .orElseGet(() -> new CadenceRate.ForCustomer(CadenceRate.parse(defaults.get(LimitName.CUSTOMER_CADENCE)), "default"));
  }

  private static Optional<String> setting(Connection c, String scope, String key, String name) throws SQLException {
    return Sql.one(c, "SELECT setting FROM limit_settings WHERE scope = ? AND scope_key = ? AND name = ?", rs -> rs.getString(1), scope, key, name);
  }

  private static Map<String, String> overrides(Connection c, String scope, String key) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String[] r : Sql.list(c, "SELECT name, setting FROM limit_settings WHERE scope = ? AND scope_key = ? ORDER BY name",
        rs -> new String[] {rs.getString(1), rs.getString(2)}, scope, key)) {
      out.put(r[0], r[1]);
    }
    return out;
  }

  private static void check(LimitName n, String field, String value) {
    String v = value.trim();
    if (n == LimitName.CUSTOMER_CADENCE) {
      try {
        CadenceRate.parse(v);
      } catch (IllegalArgumentException e) {
        throw Rejected.invalid(field, field + " " + e.getMessage());
      }
      return;
    }
    if (n == LimitName.ACTIVE_HOURS) {
      if (!HOURS.matcher(v).matches()) {
        throw Rejected.invalid(field, field + " '" + v + "' must look like 08:00-22:00");
      }
      return;
    }
    int x;
    try {
      x = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw Rejected.invalid(field, field + " must be a whole number");
    }
    int max = n == LimitName.WARMUP_PERCENT ? 100 : 1_000_000;
    if (x < 0 || x > max) {
      throw Rejected.invalid(field, field + " must be 0.." + max);
    }
  }

  private static String keys() {
    StringBuilder sb = new StringBuilder();
    for (LimitName n : LimitName.values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(n.key());
    }
    return sb.toString();
  }

  /** An account's limits and what it has used of them today (see {@link UsageReport}). */
  public UsageReport.Usage usage(String accountId, Instant now) {
    return db.inTransaction(c -> UsageReport.of(c, this, accountId, now));
  }
}
