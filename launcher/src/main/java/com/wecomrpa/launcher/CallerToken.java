package com.wecomrpa.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The token a command calls a running controller with: secrets come by file or environment, never on the command line. */
final class CallerToken {
  private CallerToken() {}

  /** From {@code file} if given, else {@code $WECOM_RPA_TOKEN}; null or blank if neither holds one. */
  static String read(Path file) throws IOException {
    return file != null ? Files.readString(file, StandardCharsets.UTF_8).trim() : System.getenv("WECOM_RPA_TOKEN");
  }
}
