package com.wecomrpa.agent.driver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Where a device's browser or app session keeps its files, and what may still run from there. */
final class DeviceHome {
  private DeviceHome() {}

  /**
   * A device's browser folders (temp, config, cache), emptied first. Whatever still runs from this
   * home (a browser or driver orphaned when an agent was killed with -9) is ended before: it would
   * hold the profile and live on unseen.
   */
  static void prepare(Path home) {
    endOrphansOf(home);
    try {
      deleteTree(home);
      Files.createDirectories(home.resolve("tmp"));
      Files.createDirectories(home.resolve("config"));
      Files.createDirectories(home.resolve("cache"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ends every process started with a path under {@code home} on its command line; returns how many. */
  static int endOrphansOf(Path home) {
    String marker = home.toAbsolutePath().normalize() + java.io.File.separator;
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> orphans = ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self && p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .toList();
    orphans.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : orphans) {
      try {
        p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // gone or stuck: the new session starts regardless
      }
    }
    return orphans.size();
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
