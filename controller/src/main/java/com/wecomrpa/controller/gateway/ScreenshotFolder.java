package com.wecomrpa.controller.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** Where failed steps' screenshots are kept, one PNG per execution, named by job and lease. */
public final class ScreenshotFolder {
  private final Path dir;

  public ScreenshotFolder(Path dir) {
    this.dir = dir;
  }

  /** Writes the PNG and returns its path relative to nothing the client controls. Blocking. */
  public String save(String jobId, long token, String base64Png) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(jobId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + token + ".png");
      Files.write(file, Base64.getDecoder().decode(base64Png));
      return file.toAbsolutePath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
