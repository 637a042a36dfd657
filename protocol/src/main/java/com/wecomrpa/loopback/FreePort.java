package com.wecomrpa.loopback;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A loopback port for a server that binds it later: another process, or one restarted on the same
 * port. Picked below the kernel's ephemeral range, because a port the kernel handed out for
 * {@code bind(0)} goes back to the pool the moment it is closed, and any outgoing connection on the
 * machine may take it before the server binds ("Address already in use"). Below the range only
 * another caller of this method competes: a random start, a bind check and no repeat within this
 * JVM make that unlikely.
 */
public final class FreePort {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> GIVEN = new HashSet<>();

  private FreePort() {}

  /** A port on 127.0.0.1 that nothing listens on now. */
  public static synchronized int pick() {
    int highest = ephemeralStart() - 1;
    int span = highest - LOWEST + 1;
    int start = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = LOWEST + (start + i) % span;
      if (!GIVEN.contains(port) && bindable(port)) {
        GIVEN.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + highest);
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (Linux), 32768 where it cannot be read. */
  private static int ephemeralStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int first = Integer.parseInt(range.split("\\s+")[0]);
      return first > LOWEST + 1000 ? first : 32_768;
    } catch (IOException | RuntimeException unreadable) {
      return 32_768;
    }
  }
}
