package com.wecomrpa.controller.access;

import com.wecomrpa.controller.caller.Role;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * One-time console login links: an admin makes one for a role; whoever opens it first gets a fresh
 * token of that role (named after the link's maker, audited) and the link is spent. Only the code's
 * hash is stored, and the code travels in the URL's fragment, which browsers never send to a server.
 */
public final class LoginLinks {
  /** A link as made: the only time its code is known. */
  public record Link(String code, String role, String person, Instant expiresAt, String path) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration LONGEST = Duration.ofDays(7);

  private final Database db;
  private final JdbcTokenStore tokens;
  private final AuditLog audit;

  public LoginLinks(Database db, JdbcTokenStore tokens, AuditLog audit) {
    this.db = db;
    this.tokens = tokens;
    this.audit = audit;
  }

  public Link create(Caller actor, String role, String person, Duration valid, Instant now) {
    String r = role == null ? "viewer" : role.toLowerCase(Locale.ROOT);
    String who = person == null ? null : person.strip();
    if (who != null && (who.isEmpty() || who.length() > 100)) {
      throw Rejected.invalid("person", "person must be a name of 1..100 characters (who will open the link; the audit shows it)");
    }
    if (!r.equals("admin") && !r.equals("operator") && !r.equals("viewer")) {
      throw Rejected.invalid("role", "role must be one of admin, operator, viewer");
    }
    if (valid.isNegative() || valid.isZero() || valid.compareTo(LONGEST) > 0) {
      throw Rejected.invalid("minutes", "minutes must be in 1.." + LONGEST.toMinutes());
    }
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String code = HexFormat.of().formatHex(bytes);
    Instant expires = now.plus(valid);
    db.inTransaction(c -> {
      Sql.update(c, "INSERT INTO login_links (code_hash, role, created_by, creator_name, created_at, expires_at, person) VALUES (?, ?, ?, ?, ?, ?, ?)",
          JdbcTokenStore.hash(code), r, actor.tokenId(), actor.name(), now.toEpochMilli(), expires.toEpochMilli(), who);
      audit.record(c, actor, "login-link.create", who == null ? r : r + " for " + who, null, "until " + expires, null, now);
      return null;
    });
    return new Link(code, r, who, expires, "/console/#login=" + code);
  }

  /** Spends a link: a new token of its role, or a refusal when it is unknown, used or expired. */
  public JdbcTokenStore.NewToken redeem(String code, Instant now) {
    if (code == null || code.isBlank()) {
      throw Rejected.invalid("code", "code is required");
    }
    String hash = JdbcTokenStore.hash(code.trim());
    String[] person = new String[1];
    Optional<Caller> maker = db.inTransaction(c -> {
      Optional<String[]> row = Sql.one(c, "SELECT role, created_by, creator_name, person FROM login_links WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
          rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)}, hash, now.toEpochMilli());
      if (row.isEmpty() || Sql.update(c, "UPDATE login_links SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", now.toEpochMilli(), hash) != 1) {
        return Optional.<Caller>empty();
      }
      person[0] = row.get()[3];
      // The token is the maker's doing: audited under the maker's name, with the link's role.
      return Optional.of(new Caller(row.get()[1], row.get()[2], Role.valueOf(row.get()[0].toUpperCase(Locale.ROOT)), null));
    });
    Caller by = maker.orElseThrow(() -> Rejected.invalid("code", "this login link is unknown, already used or expired; ask an admin for a new one"));
    return tokens.create(by, tokenName(person[0], by.name()), by.role().name(), null, audit, now);
  }

  /**
   * The person's name when the link named one, so every action they take is audited under it;
   * else the admin who made the link, once (a link made from a link's token names the first maker,
   * not "link by link by ...").
   */
  static String tokenName(String person, String maker) {
    if (person != null) {
      return person;
    }
    String root = maker;
    while (root.startsWith(UNNAMED) && root.endsWith(")")) {
      root = root.substring(UNNAMED.length(), root.length() - 1);
    }
    return UNNAMED + root + ")";
  }

  private static final String UNNAMED = "console login (link by ";
}
