package com.wecomrpa.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.backup.StoreBackups;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.caller.Role;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.protocol.WireCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backup} and {@code restore} of the embedded store (PostgreSQL: pg_dump and pg_restore). */
final class StoreCommands {
  private StoreCommands() {}

  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = "Copy the embedded store into a file while the controller runs (through its API), or directly when no controller holds it.")
  static final class Backup implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "the controller's data folder")
    Path data;

    @Option(names = "--to", required = true, description = "the backup file to write (never overwritten)")
    Path to;

    @Option(names = "--controller", defaultValue = "http://127.0.0.1:8080", description = "the running controller, if one holds the store (default ${DEFAULT-VALUE})")
    String controller;

    @Option(names = "--token-file", description = "a file holding an admin token, for a running controller (default: $WECOM_RPA_TOKEN)")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
      Path store = data.resolve("controller.mv.db");
      if (Files.exists(to)) {
        System.err.println("backup: --to " + to + " exists: a backup never overwrites a file");
        return 2;
      }
      if (!Files.isRegularFile(store)) {
        System.err.println("backup: --data " + data + " holds no embedded store (controller.mv.db); a PostgreSQL store is backed up with pg_dump (docs/operations.md)");
        return 2;
      }
      if (inUse(store)) {
        return throughController();
      }
      try (Database db = Database.embedded(data, 1)) {
        var taken = new StoreBackups(db, new AuditLog(db)).take(to, new Caller("cli", "bin/wecom-rpa backup (" + System.getProperty("user.name") + ")", Role.ADMIN, java.util.List.of()),
            Instant.now());
        System.out.printf("backup: %s (%d bytes), taken %s with no controller running%n", taken.file(), taken.bytes(), taken.takenAt());
      }
      return 0;
    }

    /** The running controller copies its store into its own backups/ folder; the file then moves to --to. */
    private int throughController() throws Exception {
      String token = CallerToken.read(tokenFile);
      if (token == null || token.isBlank()) {
        System.err.println("backup: a controller holds " + data + ": an admin token is needed to ask it (--token-file FILE or $WECOM_RPA_TOKEN)");
        return 2;
      }
      HttpResponse<String> r;
      try {
        r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(controller.replaceAll("/+$", "") + "/api/v1/backups"))
            .timeout(Duration.ofMinutes(10)).header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        System.err.println("backup: a controller holds " + data + " but none answers at " + controller + " (" + e.getClass().getSimpleName() + "): give --controller URL");
        return 2;
      }
      if (r.statusCode() != 201) {
        System.err.println("backup: the controller at " + controller + " refused (" + r.statusCode() + "): " + r.body());
        return 1;
      }
      JsonNode taken = WireCodec.mapper().readTree(r.body());
      Path file = Path.of(taken.get("file").asText());
      if (!file.toAbsolutePath().normalize().startsWith(data.toAbsolutePath().normalize())) {
        System.err.println("backup: the controller at " + controller + " does not hold " + data + " (it wrote " + file + ")");
        return 2;
      }
      Files.createDirectories(to.toAbsolutePath().getParent());
      Files.move(file, to);
      System.out.printf("backup: %s (%d bytes), taken %s by the running controller%n", to, Files.size(to), taken.get("takenAt").asText());
      return 0;
    }

    /** Whether another process holds the store file (H2 locks it while open). */
    private static boolean inUse(Path store) throws java.io.IOException {
      try (FileChannel ch = FileChannel.open(store, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock lock = ch.tryLock();
        if (lock == null) {
          return true;
        }
        lock.release();
        return false;
      } catch (OverlappingFileLockException e) {
        return true;
      }
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Put a backup into an empty data folder; jobs it believed due and unfinished are looked for on their device before they are sent.")
  static final class Restore implements Callable<Integer> {
    @Option(names = "--from", description = "the backup file (embedded store)")
    Path from;

    @Option(names = "--data", description = "an empty (or new) data folder for the controller")
    Path data;

    @Option(names = "--db", description = "instead: a PostgreSQL database just restored with pg_restore, to ready for the controllers"
        + " (user and password from $WECOM_RPA_DB_USER and $WECOM_RPA_DB_PASSWORD or --db-password-file)")
    String db;

    @Option(names = "--db-password-file", description = "read the database password from this file's first line")
    Path dbPasswordFile;

    @Option(names = "--dump-taken-at", description = "with --db: when the pg_dump was taken (ISO-8601, e.g. 2026-12-04T02:00:00Z)")
    String dumpTakenAt;

    @Override
    public Integer call() throws Exception {
      try {
        if (db != null) {
          if (dumpTakenAt == null) {
            System.err.println("restore: --db needs --dump-taken-at (when the pg_dump was taken): what was unfinished then is looked for on the device");
            return 2;
          }
          Instant taken;
          try {
            taken = Instant.parse(dumpTakenAt);
          } catch (java.time.format.DateTimeParseException e) {
            System.err.println("restore: --dump-taken-at '" + dumpTakenAt + "' is not an instant like 2026-12-04T02:00:00Z");
            return 2;
          }
          try (Database restored = Database.postgres(db, com.wecomrpa.controller.store.DbCredentials.from(System.getenv(), dbPasswordFile), 2)) {
            var r = StoreBackups.readyRestored(restored, taken, Instant.now());
            System.out.printf("restore: database ready; %d unfinished jobs will be looked for on their device before they are sent; fencing epochs continue at %d%n",
                r.jobsToVerify(), r.nextEpoch());
          }
          return 0;
        }
        if (from == null || data == null) {
          System.err.println("restore: give --from FILE --data DIR (embedded store), or --db URL --dump-taken-at T (PostgreSQL after pg_restore)");
          return 2;
        }
        var r = StoreBackups.restore(from, data, Instant.now());
        System.out.printf("restore: backup taken %s is in %s; %d unfinished jobs will be looked for on their device before they are sent;"
            + " fencing epochs continue at %d. Start the controller with --data %s%n", r.backupTakenAt(), r.dataDir(), r.jobsToVerify(), r.nextEpoch(), r.dataDir());
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("restore: " + e.getMessage());
        return 2;
      }
    }
  }
}
