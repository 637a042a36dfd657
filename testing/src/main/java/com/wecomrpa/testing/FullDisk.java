package com.wecomrpa.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fills a small file system (a size-limited in-memory one) as a disk fills up. */
public final class FullDisk {
  private static final int BLOCK = 4096;
  private static final int MOST_BLOCKS = 4096;

  private FullDisk() {}

  /** Writes to {@code file} until its file system refuses a block; returns the file (delete it to free the space). */
  public static Path fill(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] block = new byte[BLOCK];
      for (int i = 0; i < MOST_BLOCKS; i++) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      return file;
    }
    throw new IllegalStateException("the file system of " + file + " took " + (long) BLOCK * MOST_BLOCKS / (1024 * 1024) + " MB and is still not full");
  }
}
