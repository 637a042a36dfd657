package com.wecomrpa.controller.evidence;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.util.Base64;
import java.util.Optional;

/** Screenshots as rows of the shared database, so every node of a cluster can show them. */
public final class SharedScreenshots implements Screenshots {
  private static final String PREFIX = "db:";
  private final Database db;

  public SharedScreenshots(Database db) {
    this.db = db;
  }

  @Override
  public String save(String jobId, long token, String base64Png) {
    byte[] png;
    try {
      png = Base64.getDecoder().decode(base64Png);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String key = jobId + "@" + token;
    // A report sent twice (after a reconnect) carries the same screenshot: kept once.
    db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM screenshots WHERE id = ?", key) > 0
        ? 0 : Sql.update(c, "INSERT INTO screenshots (id, png) VALUES (?, ?)", key, png));
    return PREFIX + key;
  }

  @Override
  public Optional<byte[]> read(String reference) {
    if (!reference.startsWith(PREFIX)) {
      return Optional.empty();
    }
    return db.inTransaction(c -> Sql.one(c, "SELECT png FROM screenshots WHERE id = ?", rs -> rs.getBytes(1), reference.substring(PREFIX.length())));
  }

  @Override
  public void delete(String reference) {
    if (reference.startsWith(PREFIX)) {
      db.inTransaction(c -> Sql.update(c, "DELETE FROM screenshots WHERE id = ?", reference.substring(PREFIX.length())));
    }
  }
}
