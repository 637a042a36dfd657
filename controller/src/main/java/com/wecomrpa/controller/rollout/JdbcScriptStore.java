package com.wecomrpa.controller.rollout;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.script.ScriptError;
import com.wecomrpa.script.ScriptSet;
import com.wecomrpa.script.ScriptSetLoader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Uploaded script set versions and their rollouts. An upload is parsed with the agent's own parser
 * first: a script that does not parse is refused with its file, line and reason and never stored,
 * so it never reaches a device. Versions are immutable; every rollout change is audited.
 */
public final class JdbcScriptStore {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern FILE = Pattern.compile("(script-set|locators)\\.yaml|flows/[A-Za-z0-9_-]{1,64}\\.yaml");
  private static final int MAX_FILES = 200;
  private static final int MAX_FILE_CHARS = 256 * 1024;

  /** One version as listed: what it supports and how its executions went. */
  public record VersionSummary(String version, List<String> supports, int flows, Instant uploadedAt, String uploadedBy, Map<String, Long> outcomes) {}

  /** A rollout change as asked for; null fields keep their value. */
  public record RolloutChange(String stable, String canary, Integer percent, List<String> devices, String reason) {}

  private final Database db;
  private final AuditLog audit;
  private final ObjectMapper json = WireCodec.mapper();

  public JdbcScriptStore(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  public ScriptBundle upload(Caller who, Map<String, String> files, Instant now) {
    ScriptSet set = check(files);
    Map<String, String> sorted = new TreeMap<>(files);
    String text = write(sorted);
    String digest = sha256(text);
    return db.inTransaction(
        c -> {
          Optional<ScriptBundle> existing = find(c, set.client(), set.version());
          if (existing.isPresent()) {
            if (existing.get().digest().equals(digest)) {
              return existing.get(); // the same upload again: nothing to do
            }
            throw Rejected.conflict("files.script-set.yaml", "script set " + set.client() + "@" + set.version()
                + " is already uploaded with other content; versions never change, give this one a new version");
          }
          Sql.update(c, "INSERT INTO script_bundles (client_kind, version, supports, files, digest, uploaded_at, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
              set.client(), set.version(), String.join(",", set.supportedClientVersions()), text, digest, now.toEpochMilli(), who.name());
          audit.record(c, who, "script.upload", set.client() + "@" + set.version(), null,
              set.flows().size() + " flows, supports " + set.supportedClientVersions(), null, now);
          return new ScriptBundle(set.client(), set.version(), set.supportedClientVersions(), sorted, digest, now, who.name());
        });
  }

  /** Parses an upload as an agent would, refusing it with the file and line at fault. */
  static ScriptSet check(Map<String, String> files) {
    if (files == null || files.isEmpty()) {
      throw Rejected.invalid("files", "files is required: file name to content (script-set.yaml, locators.yaml, flows/*.yaml)");
    }
    if (files.size() > MAX_FILES) {
      throw Rejected.invalid("files", "at most " + MAX_FILES + " files, got " + files.size());
    }
    for (Map.Entry<String, String> f : files.entrySet()) {
      if (!FILE.matcher(f.getKey()).matches()) {
        throw Rejected.invalid("files." + f.getKey(), "unexpected file " + f.getKey() + ": a script set has script-set.yaml, locators.yaml and flows/NAME.yaml");
      }
      if (f.getValue() == null || f.getValue().length() > MAX_FILE_CHARS) {
        throw Rejected.invalid("files." + f.getKey(), f.getKey() + " must be text of at most " + MAX_FILE_CHARS + " characters");
      }
    }
    ScriptSet set;
    try {
      set = ScriptSetLoader.parse(files);
    } catch (ScriptError e) {
      throw Rejected.invalid("files." + e.file(), e.getMessage());
    }
    if (!NAME.matcher(set.client()).matches() || !NAME.matcher(set.version()).matches()) {
      throw Rejected.invalid("files.script-set.yaml", "client and version must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    return set;
  }

  public Optional<ScriptBundle> find(String client, String version) {
    return db.inTransaction(c -> find(c, client, version));
  }

  private Optional<ScriptBundle> find(Connection c, String client, String version) throws SQLException {
    return Sql.one(c, "SELECT client_kind, version, supports, files, digest, uploaded_at, uploaded_by FROM script_bundles WHERE client_kind = ? AND version = ?",
        this::bundle, client, version);
  }

  private ScriptBundle bundle(ResultSet rs) throws SQLException {
    return new ScriptBundle(rs.getString(1), rs.getString(2), Arrays.asList(rs.getString(3).split(",")), read(rs.getString(4)), rs.getString(5),
        Instant.ofEpochMilli(rs.getLong(6)), rs.getString(7));
  }

  /** Every version of a client kind, newest first, with its executions by outcome. */
  public List<VersionSummary> versions(String client) {
    return db.inTransaction(
        c -> {
          Map<String, Map<String, Long>> outcomes = new LinkedHashMap<>();
          for (Object[] row : Sql.list(c, "SELECT script_version, outcome, COUNT(*) FROM executions WHERE script_version LIKE ? AND outcome IS NOT NULL"
              + " GROUP BY script_version, outcome", rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)}, client + "@%")) {
            outcomes.computeIfAbsent(((String) row[0]).substring(client.length() + 1), k -> new TreeMap<>()).put((String) row[1], (Long) row[2]);
          }
          List<VersionSummary> out = new ArrayList<>();
          for (ScriptBundle b : Sql.list(c, "SELECT client_kind, version, supports, files, digest, uploaded_at, uploaded_by FROM script_bundles"
              + " WHERE client_kind = ? ORDER BY uploaded_at DESC, version DESC", this::bundle, client)) {
            int flows = (int) b.files().keySet().stream().filter(f -> f.startsWith("flows/")).count();
            out.add(new VersionSummary(b.version(), b.supports(), flows, b.uploadedAt(), b.uploadedBy(), outcomes.getOrDefault(b.version(), Map.of())));
            outcomes.remove(b.version());
          }
          // Versions that ran but were never uploaded here: the agents' own scripts.
          outcomes.forEach((v, o) -> out.add(new VersionSummary(v, List.of(), 0, null, "agent's own scripts", o)));
          return out;
        });
  }

  public List<String> clients() {
    return db.inTransaction(c -> Sql.list(c, "SELECT DISTINCT client_kind FROM script_bundles ORDER BY client_kind", rs -> rs.getString(1)));
  }

  /** What each uploaded version of a client kind supports (for routing). */
  public Map<String, List<String>> supportsByVersion(String client) {
    return db.inTransaction(c -> {
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (String[] row : Sql.list(c, "SELECT version, supports FROM script_bundles WHERE client_kind = ?", rs -> new String[] {rs.getString(1), rs.getString(2)}, client)) {
        out.put(row[0], Arrays.asList(row[1].split(",")));
      }
      return out;
    });
  }

  public Rollout rollout(String client) {
    return db.inTransaction(c -> rollout(c, client));
  }

  private Rollout rollout(Connection c, String client) throws SQLException {
    return Sql.one(c, "SELECT stable_version, canary_version, canary_percent, canary_devices, updated_at FROM script_rollouts WHERE client_kind = ?",
            rs -> new Rollout(client, rs.getString(1), rs.getString(2), rs.getInt(3),
                rs.getString(4) == null || rs.getString(4).isEmpty() ? List.of() : Arrays.asList(rs.getString(4).split(",")), Instant.ofEpochMilli(rs.getLong(5))),
            client)
        .orElse(Rollout.none(client));
  }

  /** Sets the stable and/or canary version; both must be uploaded versions of this client kind. */
  public Rollout change(Caller who, String client, RolloutChange change, Instant now) {
    return db.inTransaction(
        c -> {
          Rollout old = rollout(c, client);
          String stable = change.stable() != null ? change.stable() : old.stable();
          String canary = change.canary() != null ? change.canary() : old.canary();
          int percent = change.percent() != null ? change.percent() : old.canaryPercent();
          List<String> devices = change.devices() != null ? List.copyOf(change.devices()) : old.canaryDevices();
          if (change.stable() != null) {
            need(c, client, stable, "stable");
          }
          if (change.canary() != null) {
            need(c, client, canary, "canary");
          }
          if (percent < 0 || percent > 100) {
            throw Rejected.invalid("percent", "percent must be 0 to 100, got " + percent);
          }
          for (String d : devices) {
            if (!NAME.matcher(d).matches()) {
              throw Rejected.invalid("devices", "device id '" + d + "' is not 1-64 of A-Z a-z 0-9 . _ -");
            }
          }
          if (canary != null && canary.equals(stable)) {
            canary = null; // promoted by naming it stable
          }
          if (canary == null) {
            percent = 0;
            devices = List.of();
          }
          return save(c, who, "script.rollout", old, new Rollout(client, stable, canary, percent, devices, now), change.reason(), now);
        });
  }

  /** The canary becomes the stable version everywhere. */
  public Rollout promote(Caller who, String client, String reason, Instant now) {
    return db.inTransaction(c -> {
      Rollout old = rollout(c, client);
      if (old.canary() == null) {
        throw Rejected.conflict("canary", client + " has no canary to promote");
      }
      return save(c, who, "script.promote", old, new Rollout(client, old.canary(), null, 0, List.of(), now), reason, now);
    });
  }

  /** The canary is withdrawn: its devices go back to the stable version before their next job. */
  public Rollout rollback(Caller who, String client, String reason, Instant now) {
    return db.inTransaction(c -> {
      Rollout old = rollout(c, client);
      if (old.canary() == null) {
        throw Rejected.conflict("canary", client + " has no canary to roll back");
      }
      return save(c, who, "script.rollback", old, new Rollout(client, old.stable(), null, 0, List.of(), now), reason, now);
    });
  }

  private Rollout save(Connection c, Caller who, String action, Rollout old, Rollout next, String reason, Instant now) throws SQLException {
    int n = Sql.update(c, "UPDATE script_rollouts SET stable_version = ?, canary_version = ?, canary_percent = ?, canary_devices = ?, updated_at = ? WHERE client_kind = ?",
        next.stable(), next.canary(), next.canaryPercent(), String.join(",", next.canaryDevices()), now.toEpochMilli(), next.client());
    if (n == 0) {
      Sql.update(c, "INSERT INTO script_rollouts (client_kind, stable_version, canary_version, canary_percent, canary_devices, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
          next.client(), next.stable(), next.canary(), next.canaryPercent(), String.join(",", next.canaryDevices()), now.toEpochMilli());
    }
    audit.record(c, who, action, next.client(), describe(old), describe(next), reason, now);
    return next;
  }

  private static String describe(Rollout r) {
    return "stable=" + r.stable() + (r.canary() == null ? "" : " canary=" + r.canary() + " on " + r.canaryPercent() + "%" + (r.canaryDevices().isEmpty() ? "" : " + " + r.canaryDevices()));
  }

  private void need(Connection c, String client, String version, String field) throws SQLException {
    if (Sql.count(c, "SELECT COUNT(*) FROM script_bundles WHERE client_kind = ? AND version = ?", client, version) == 0) {
      throw Rejected.notFound(field, "no script set " + client + "@" + version + " has been uploaded");
    }
  }

  private String write(Map<String, String> files) {
    try {
      return json.writeValueAsString(files);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<String, String> read(String text) {
    try {
      return json.readValue(text, new TypeReference<TreeMap<String, String>>() {});
    } catch (Exception e) {
      throw new IllegalStateException("stored script bundle is not readable", e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
