package com.wecomrpa.controller.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Who the controller is to a shared database. Read from the environment or a file, never from the
 * command line (which {@code ps} and logs show); {@link #toString()} never shows the password.
 */
public record DbCredentials(String user, String password) {
  public static final DbCredentials NONE = new DbCredentials(null, null);

  /**
   * {@code WECOM_RPA_DB_USER} and {@code WECOM_RPA_DB_PASSWORD}, or the password from {@code
   * passwordFile} (its first line) when one is given.
   */
  public static DbCredentials from(Map<String, String> env, Path passwordFile) throws IOException {
    String password = env.get("WECOM_RPA_DB_PASSWORD");
    if (passwordFile != null) {
      if (!Files.isReadable(passwordFile)) {
        throw new IllegalArgumentException("--db-password-file: cannot read " + passwordFile);
      }
      password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
    }
    return new DbCredentials(env.getOrDefault("WECOM_RPA_DB_USER", null), password);
  }

  @Override
  public String toString() {
    return "DbCredentials[user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
  }
}
