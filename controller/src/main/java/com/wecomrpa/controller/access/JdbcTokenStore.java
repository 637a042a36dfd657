package com.wecomrpa.controller.access;

import com.wecomrpa.controller.caller.Role;
import com.wecomrpa.controller.caller.Caller;
import com.fasterxml.jackson.core.type.TypeReference;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * API tokens, stored as SHA-256 hashes. A token is returned once, when it is created; afterwards
 * only its id, name and role are ever shown.
 */
public final class JdbcTokenStore {
  /** A token as listed: never the secret. */
  public record TokenInfo(String id, String name, String role, List<String> devices, String agentId, Instant createdAt, Instant revokedAt) {}

  /** A freshly created token: the only time {@code token} is known outside the caller's hands. */
  public record NewToken(String id, String name, String role, List<String> devices, String agentId, String token) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final TypeReference<List<String>> DEVICES = new TypeReference<>() {};

  private final Database db;

  public JdbcTokenStore(Database db) {
    this.db = db;
  }

  /**
   * Makes sure an admin token exists. With none yet, creates one from {@code given} (or a random
   * one) and returns it so the caller can show it once; otherwise returns empty.
   */
  public Optional<String> bootstrapAdmin(String given, Instant now) {
    return db.inTransaction(
        c -> {
          if (Sql.count(c, "SELECT COUNT(*) FROM api_tokens WHERE role = 'ADMIN' AND revoked_at IS NULL") > 0) {
            return Optional.<String>empty();
          }
          String token = given != null ? given : newSecret();
          Sql.update(c, "INSERT INTO api_tokens (id, name, role, token_hash, devices, created_at) VALUES (?, ?, 'ADMIN', ?, NULL, ?)",
              "tok-" + UUID.randomUUID().toString().substring(0, 8), "first admin", hash(token), now.toEpochMilli());
          return Optional.of(token);
        });
  }

  public NewToken create(Caller actor, String name, String role, List<String> devices, AuditLog audit, Instant now) {
    return create(actor, name, role, devices, null, audit, now);
  }

  /** {@code agentId} (agent tokens): the one agent id the token speaks for; several tokens per agent may live at once (rotation). */
  public NewToken create(Caller actor, String name, String role, List<String> devices, String agentId, AuditLog audit, Instant now) {
    Fields.maxLength("name", Fields.required("name", name), 200);
    Role r;
    try {
      r = Role.valueOf(Fields.required("role", role).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Rejected.invalid("role", "role must be one of admin, operator, viewer, agent");
    }
    if (devices != null && r != Role.AGENT) {
      throw Rejected.invalid("devices", "devices applies to agent tokens only");
    }
    if (agentId != null) {
      Fields.id("agentId", agentId);
      if (r != Role.AGENT) {
        throw Rejected.invalid("agentId", "agentId applies to agent tokens only");
      }
    }
    if (devices != null) {
      for (int i = 0; i < devices.size(); i++) {
        Fields.id("devices[" + i + "]", devices.get(i));
      }
    }
    String token = newSecret();
    String id = "tok-" + UUID.randomUUID().toString().substring(0, 8);
    String deviceJson;
    try {
      deviceJson = devices == null ? null : WireCodec.mapper().writeValueAsString(devices);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
    return db.inTransaction(
        c -> {
          Sql.update(c, "INSERT INTO api_tokens (id, name, role, token_hash, devices, agent_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              id, name, r.name(), hash(token), deviceJson, agentId, now.toEpochMilli());
          audit.record(c, actor, "token.create", id, null, name + " (" + r.name().toLowerCase() + ")", null, now);
          return new NewToken(id, name, r.name().toLowerCase(), devices, agentId, token);
        });
  }

  public TokenInfo revoke(Caller actor, String id, AuditLog audit, Instant now) {
    return db.inTransaction(
        c -> {
          TokenInfo t = Sql.one(c, "SELECT * FROM api_tokens WHERE id = ?", JdbcTokenStore::info, id)
              .orElseThrow(() -> Rejected.notFound("id", "token " + id + " not found"));
          Sql.update(c, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now.toEpochMilli(), id);
          audit.record(c, actor, "token.revoke", id, t.name(), "revoked", null, now);
          return Sql.one(c, "SELECT * FROM api_tokens WHERE id = ?", JdbcTokenStore::info, id).orElseThrow();
        });
  }

  public List<TokenInfo> list() {
    return db.inTransaction(c -> Sql.list(c, "SELECT * FROM api_tokens ORDER BY created_at, id", JdbcTokenStore::info));
  }

  /** Of these token ids, the ones revoked (or gone). Blocking. */
  public java.util.Set<String> revokedAmong(java.util.Collection<String> ids) {
    java.util.Set<String> out = new java.util.HashSet<>(ids);
    if (ids.isEmpty()) {
      return out;
    }
    db.inTransaction(c -> {
      for (String live : Sql.list(c, "SELECT id FROM api_tokens WHERE revoked_at IS NULL AND id IN (" + String.join(",", java.util.Collections.nCopies(ids.size(), "?")) + ")",
          rs -> rs.getString(1), ids.toArray())) {
        out.remove(live);
      }
      return null;
    });
    return out;
  }

  /** The live token with this secret, if any. Blocking. */
  public Optional<Caller> authenticate(String token) {
    if (token == null || token.isBlank()) {
      return Optional.empty();
    }
    return db.inTransaction(
        c -> Sql.one(c, "SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", rs -> {
          TokenInfo t = info(rs);
          return new Caller(t.id(), t.name(), Role.valueOf(t.role().toUpperCase(Locale.ROOT)), t.devices(), t.agentId());
        }, hash(token)));
  }

  private static TokenInfo info(java.sql.ResultSet rs) throws java.sql.SQLException {
    String devices = rs.getString("devices");
    List<String> list;
    try {
      list = devices == null ? null : WireCodec.mapper().readValue(devices, DEVICES);
    } catch (Exception e) {
      list = List.of();
    }
    long revoked = rs.getLong("revoked_at");
    return new TokenInfo(rs.getString("id"), rs.getString("name"), rs.getString("role").toLowerCase(Locale.ROOT), list, rs.getString("agent_id"),
        Instant.ofEpochMilli(rs.getLong("created_at")), rs.wasNull() ? null : Instant.ofEpochMilli(revoked));
  }

  static String newSecret() {
    byte[] raw = new byte[24];
    RANDOM.nextBytes(raw);
    return "wr_" + HexFormat.of().formatHex(raw);
  }

  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
