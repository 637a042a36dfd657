package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of a demo leaves nothing behind: each demo runs as its own process, is
 * signalled while its broadcast runs (the fast profile's pace, 800 ms per account between sends,
 * keeps each broadcast going past the line the test waits for, on any host), and within 10 s none of the processes that were below it
 * before the signal is alive and none of the ports they listened on (nor the private
 * PostgreSQL's) still listens.
 */
class DemoTeardownTest {
  private static final Duration PROMISE = Duration.ofSeconds(10);

  @Test
  void sigtermDuringTheBroadcastDemoStopsItsBrowsersAndServers(@TempDir Path dir) throws Exception {
    stopMidway(dir, List.of("demo", "--accounts", "2", "--groups", "20"), "progress: \\d+/20 done", null);
  }

  @Test
  void sigtermDuringTheClusterDemoStopsItsControllersAgentsSimulatorAndPostgres(@TempDir Path dir) throws Exception {
    stopMidway(dir, List.of("demo", "--cluster", "3", "--accounts", "2", "--groups", "40"), "progress: \\d+/40 done",
        "sharing jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/");
  }

  @Test
  void sigtermDuringTheCrashRehearsalStopsItsChildProcesses(@TempDir Path dir) throws Exception {
    stopMidway(dir, List.of("demo", "--scenario", "crash", "--accounts", "2", "--groups", "30"), "crash rehearsal: moment 1:", null);
  }

  private static void stopMidway(Path dir, List<String> command, String midway, String postgresPort) throws Exception {
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of("--exit-when-done", "--data", dir.resolve("data").toString(), "--scripts", Path.of("..", "scripts").toString()));
    ChildProcess demo = ChildProcess.start("demo", dir.resolve("demo.log"), List.of("-Xmx512m"), args);
    try {
      demo.first(midway, Duration.ofMinutes(3));
      Integer pgPort = postgresPort == null ? null : Integer.valueOf(demo.first(postgresPort, Duration.ofSeconds(1)).group(1));
      ProcessHandle root = ProcessHandle.of(demo.pid()).orElseThrow();
      List<ProcessHandle> below = new ArrayList<>(root.descendants().toList());
      below.add(root);
      Set<Integer> ports = listeningPorts(below);
      if (pgPort != null) {
        ports.add(pgPort);
      }
      assertThat(below).as("processes below the demo").hasSizeGreaterThan(2);
      assertThat(ports).as("ports the demo's processes listen on").isNotEmpty();

      long signalled = System.nanoTime();
      root.destroy(); // SIGTERM
      TestStack.waitUntil("everything the demo started has stopped", PROMISE, () -> below.stream().noneMatch(ProcessHandle::isAlive));
      System.out.printf("%s: %d processes and %d ports gone %d ms after SIGTERM%n", command, below.size(), ports.size(),
          Duration.ofNanos(System.nanoTime() - signalled).toMillis());
      Set<Integer> still = listening();
      still.retainAll(ports);
      assertThat(still).as("ports still listening " + Duration.ofNanos(System.nanoTime() - signalled).toMillis() + " ms after SIGTERM").isEmpty();
      assertThat(demo.lines()).as("what the demo said").anyMatch(l -> l.contains("stopping"));
    } finally {
      demo.kill();
      ProcessHandle.of(demo.pid()).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
    }
  }

  /** TCP ports these processes listen on (from /proc: their socket inodes against the LISTEN sockets). */
  private static Set<Integer> listeningPorts(List<ProcessHandle> processes) throws IOException {
    Set<String> inodes = new HashSet<>();
    for (ProcessHandle p : processes) {
      Path fds = Path.of("/proc", String.valueOf(p.pid()), "fd");
      try (Stream<Path> all = Files.list(fds)) {
        for (Path fd : all.toList()) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring(8, target.length() - 1));
            }
          } catch (IOException gone) {
            // closed meanwhile
          }
        }
      } catch (IOException gone) {
        // the process ended meanwhile
      }
    }
    Map<String, Integer> listen = listenSockets();
    Set<Integer> ports = new HashSet<>();
    listen.forEach((inode, port) -> {
      if (inodes.contains(inode)) {
        ports.add(port);
      }
    });
    return ports;
  }

  /** Every TCP port some process listens on now. */
  private static Set<Integer> listening() throws IOException {
    return new HashSet<>(listenSockets().values());
  }

  /** LISTEN sockets: inode to local port, IPv4 and IPv6. */
  private static Map<String, Integer> listenSockets() throws IOException {
    Map<String, Integer> out = new HashMap<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[3].equals("0A")) {
          String local = f[1];
          out.put(f[9], Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
        }
      }
    }
    return out;
  }
}
