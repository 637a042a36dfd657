package com.wecomrpa.controller.retention;

import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Dialect;
import com.wecomrpa.controller.store.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the store holds, by kind, with the oldest of each and how long it is kept: what an operator
 * checks against the retention, and the disk the embedded store and its screenshots take.
 */
public final class StorageUse {
  private final Database db;
  private final Path dataDir;
  private final Retention keep;

  public StorageUse(Database db, Path dataDir, Retention keep) {
    this.db = db;
    this.dataDir = dataDir;
    this.keep = keep;
  }

  public Map<String, Object> now() {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> kinds = db.inTransaction(c -> {
      Map<String, Object> k = new LinkedHashMap<>();
      k.put("heard", kind(c, "messages", "heard_at", "1 = 1", keep.heardDays()));
      k.put("sent", kind(c, "jobs", "updated_at", "params NOT LIKE '{\"erased\"%'", keep.sentDays()));
      k.put("screenshots", kind(c, "executions", "finished_at", "screenshot IS NOT NULL", keep.screenshotDays()));
      k.put("executions", kind(c, "executions", "leased_at", "1 = 1", keep.executionDays()));
      k.put("audit", kind(c, "audit_log", "at", "1 = 1", keep.auditDays()));
      return k;
    });
    out.put("kinds", kinds);
    out.put("engine", db.dialect() == Dialect.H2 ? "h2" : "postgresql");
    if (db.dialect() == Dialect.H2) {
      out.put("storeBytes", size(dataDir.resolve("controller.mv.db")));
      out.put("screenshotFolderBytes", size(dataDir.resolve("screenshots")));
      out.put("backupFolderBytes", size(dataDir.resolve("backups")));
    }
    return out;
  }

  private static Map<String, Object> kind(java.sql.Connection c, String table, String at, String where, int days) throws java.sql.SQLException {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("rows", Sql.count(c, "SELECT COUNT(*) FROM " + table + " WHERE " + where));
    long oldest = Sql.count(c, "SELECT COALESCE(MIN(" + at + "), 0) FROM " + table + " WHERE " + where);
    k.put("oldest", oldest == 0 ? null : Instant.ofEpochMilli(oldest).toString());
    k.put("keepDays", days);
    return k;
  }

  private static long size(Path p) {
    if (!Files.exists(p)) {
      return 0;
    }
    try (var files = Files.walk(p)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    } catch (IOException e) {
      return 0;
    }
  }
}
