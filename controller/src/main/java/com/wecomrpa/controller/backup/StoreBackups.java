package com.wecomrpa.controller.backup;

import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.FencingTokens;
import com.wecomrpa.controller.job.RestoredJobs;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Dialect;
import com.wecomrpa.controller.store.Sql;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Online backups of the embedded store and their restore into an empty data folder. A backup is
 * H2's own consistent copy ({@code BACKUP TO}) taken while the controller runs. A restore opens the
 * copy (migrating it if an older release wrote it), marks every job it believed due and not
 * finished as one that may have been sent since (checked on the device before it is sent again:
 * verify-then-send), and moves the fencing epochs past any the lost store could have used.
 */
public final class StoreBackups {
  /** Epochs a restore skips: the lost store may have started this many times after the backup. */
  public static final int EPOCHS_SKIPPED = 1_000;

  public record Taken(String file, long bytes, Instant takenAt) {}

  public record Restored(Path dataDir, Instant backupTakenAt, int jobsToVerify, long nextEpoch) {}

  private final Database db;
  private final AuditLog audit;

  public StoreBackups(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  /** Copies the running store into {@code to} (a new file), noted and audited in the copy itself. */
  public Taken take(Path to, Caller who, Instant now) {
    if (db.dialect() != Dialect.H2) {
      throw Rejected.invalid("engine", "the store is PostgreSQL: back it up with pg_dump and restore it with pg_restore (docs/operations.md)");
    }
    Path file = to.toAbsolutePath().normalize();
    if (Files.exists(file)) {
      throw Rejected.conflict("to", file + " already exists: a backup never overwrites a file");
    }
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file.getParent(), e);
    }
    db.inTransaction(c -> {
      Sql.update(c, "INSERT INTO store_backups (taken_at, file, taken_by) VALUES (?, ?, ?)", now.toEpochMilli(), file.toString(), who.name());
      audit.record(c, who, "store.backup", file.getFileName().toString(), null, file.toString(), null, now);
      return null;
    });
    db.inTransaction(c -> {
      try (var s = c.createStatement()) {
        s.execute("BACKUP TO '" + file.toString().replace("'", "''") + "'");
      }
      return null;
    });
    try {
      return new Taken(file.toString(), Files.size(file), now);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Puts the backup {@code zip} into {@code dataDir}, which must be empty or absent, and readies it
   * to start: open jobs to verify, epochs skipped. Nothing is written when the folder is not empty.
   */
  public static Restored restore(Path zip, Path dataDir, Instant now) {
    if (!Files.isRegularFile(zip)) {
      throw new IllegalArgumentException("--from " + zip + " is not a file");
    }
    try {
      if (Files.isDirectory(dataDir)) {
        try (var entries = Files.list(dataDir)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalArgumentException("--data " + dataDir + " is not empty: a restore goes only into an empty folder (nothing was changed)");
          }
        }
      } else if (Files.exists(dataDir)) {
        throw new IllegalArgumentException("--data " + dataDir + " is not a folder");
      }
      Files.createDirectories(dataDir);
      unzip(zip, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore " + zip + " into " + dataDir, e);
    }
    if (!Files.exists(dataDir.resolve("controller.mv.db"))) {
      throw new IllegalArgumentException("--from " + zip + " holds no controller store (controller.mv.db): not a wecom-rpa backup");
    }
    try (Database restored = Database.embedded(dataDir, 2)) {
      return readied(restored, dataDir, null, now);
    }
  }

  /**
   * Readies a database restored by other means (PostgreSQL's pg_restore of a pg_dump taken at
   * {@code dumpTakenAt}): migrated by opening it, then the same marks as a restored copy.
   */
  public static Restored readyRestored(Database restored, Instant dumpTakenAt, Instant now) {
    return readied(restored, null, dumpTakenAt, now);
  }

  private static Restored readied(Database restored, Path dataDir, Instant takenAt, Instant now) {
    Restored r = restored.inTransaction(c -> {
      Instant since = takenAt != null ? takenAt : Instant.ofEpochMilli(Sql.count(c, "SELECT COALESCE(MAX(taken_at), 0) FROM store_backups"));
      int toVerify = RestoredJobs.verifyBeforeSending(c, since, now);
      long next = FencingTokens.skipEpochs(c, EPOCHS_SKIPPED, "restore", now);
      return new Restored(dataDir, since, toVerify, next);
    });
    restored.forceToDisk();
    return r;
  }

  private static void unzip(Path zip, Path into) throws IOException {
    Path root = into.toAbsolutePath().normalize();
    try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
      for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
        Path out = root.resolve(e.getName()).normalize();
        if (!out.startsWith(root)) {
          throw new IllegalArgumentException("--from: entry " + e.getName() + " would land outside the data folder");
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(z, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
