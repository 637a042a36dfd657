package com.wecomrpa.agent.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Writes a whole file so that a crash leaves either the old content or the new, never half: the
 * bytes go to a sibling {@code .tmp}, are synced to disk, and the file is renamed into place. A
 * write that fails (a full disk) removes its {@code .tmp} and leaves the old file as it was.
 */
public final class AtomicFile {
  /** What {@link #writable} writes: a full disk refuses even this much. */
  private static final int PROBE_BYTES = 4096;

  private AtomicFile() {}

  public static void write(Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(content);
        while (bytes.hasRemaining()) {
          ch.write(bytes);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the next write of this file truncates it anyway
      }
      throw e;
    }
  }

  /** Empty if a small file can be written and synced in {@code dir} now; otherwise why not. */
  public static Optional<String> writable(Path dir) {
    Path probe = dir.resolve(".writable");
    try {
      write(probe, new byte[PROBE_BYTES]);
      Files.deleteIfExists(probe);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(String.valueOf(e.getMessage()));
    }
  }
}
