package com.wecomrpa.controller.evidence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/** Screenshots as files, one PNG per execution named by job and lease: the embedded default. */
public final class ScreenshotFolder implements Screenshots {
  private final Path dir;

  public ScreenshotFolder(Path dir) {
    this.dir = dir;
  }

  @Override
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

  @Override
  public Optional<byte[]> read(String reference) {
    try {
      Path file = Path.of(reference);
      return Files.isReadable(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void delete(String reference) {
    try {
      Path file = Path.of(reference);
      // Only what this folder wrote: a reference is never a way to delete another file.
      if (file.toAbsolutePath().normalize().startsWith(dir.toAbsolutePath().normalize())) {
        Files.deleteIfExists(file);
      }
    } catch (IOException | java.nio.file.InvalidPathException e) {
      // gone already, or not one of ours
    }
  }
}
