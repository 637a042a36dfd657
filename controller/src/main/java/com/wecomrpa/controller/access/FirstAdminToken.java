package com.wecomrpa.controller.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * The first admin token of a store that has none: made at start and shown once, on the console
 * only or in a file only its owner reads (mode 0600). Tokens never go to the log.
 */
public final class FirstAdminToken {
  private FirstAdminToken() {}

  /** {@code given}: the token the operator chose (nothing is shown then); {@code file}: where to write a made one, or null for the console. */
  public static void ensure(JdbcTokenStore tokens, String given, Path file, Instant now) {
    tokens.bootstrapAdmin(given, now)
        .filter(t -> given == null)
        .ifPresent(t -> {
          if (file == null) {
            System.out.println("first admin token (shown once, keep it): " + t);
          } else {
            writeOwnerOnly(file, t);
            System.out.println("first admin token written to " + file + " (mode 0600)");
          }
        });
  }

  private static void writeOwnerOnly(Path file, String secret) {
    try {
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, secret + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin token to " + file, e);
    }
  }
}
