package com.wecomrpa.controller.disk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * How much of the data folder's disk the controller keeps free, and how it reads what is free (the
 * folder's file system; a test gives its own reading). Below the floor, new work is refused before
 * the store or the screenshots run out of room mid-write.
 */
public record DiskFloor(long minFreeBytes, LongSupplier freeBytes) {
  /** 256 MiB: room for the store to finish what it has, its checkpoints and a few screenshots. */
  public static final long DEFAULT_MIN_FREE_BYTES = 256L << 20;

  public DiskFloor {
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("--min-free-disk-mb must be >= 0, was " + (minFreeBytes >> 20));
    }
  }

  /** The floor on the file system that holds {@code dataDir} (the nearest existing parent, before the folder is made). */
  public static DiskFloor of(Path dataDir, long minFreeBytes) {
    Path abs = dataDir.toAbsolutePath();
    return new DiskFloor(minFreeBytes, () -> {
      Path p = abs;
      while (p != null && !Files.exists(p)) {
        p = p.getParent();
      }
      try {
        return Files.getFileStore(p == null ? Path.of("/") : p).getUsableSpace();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
