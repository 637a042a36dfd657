package com.wecomrpa.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/** What the process spent: CPU (in cores busy) over a span, and the heap's peak. */
final class Gauges {
  private final long cpuStart;
  private final long wallStart;
  private final java.util.concurrent.atomic.AtomicLong peakHeap = new java.util.concurrent.atomic.AtomicLong();
  private final Thread sampler;

  private Gauges() {
    this.cpuStart = cpuNanos();
    this.wallStart = System.nanoTime();
    // Heap in use, sampled every 5 ms: the pools' own peaks are reached at different moments, so
    // their sum overstates the real peak.
    sampler = new Thread(() -> {
      var memory = ManagementFactory.getMemoryMXBean();
      while (!Thread.currentThread().isInterrupted()) {
        peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** The highest heap in use seen since the start, in MiB. */
  long peakHeapMib() {
    peakHeap.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    return peakHeap.get() >> 20;
  }

  /** Stops sampling. */
  void stop() {
    sampler.interrupt();
  }

  /** Starts a span: CPU time is read and heap in use sampled from now. */
  static Gauges start() {
    return new Gauges();
  }

  /**
   * Cores busy on average since the start (2.0 = both of two cores all the time), the heap
   * sampler's own CPU left out: the figure is the measured process's, not the meter's.
   */
  double coresBusy() {
    long wall = System.nanoTime() - wallStart;
    long meter = Math.max(0, ManagementFactory.getThreadMXBean().getThreadCpuTime(sampler.getId()));
    return wall <= 0 ? 0 : (double) Math.max(0, cpuNanos() - cpuStart - meter) / wall;
  }

  /** This process's CPU seconds so far, all threads. */
  static double processCpuSeconds() {
    return cpuNanos() / 1e9;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * CPU seconds spent so far by the processes named {@code postgres} (a server and its backends,
   * those that have ended included), from /proc in clock ticks of 1/100 s; 0 where there is no /proc.
   */
  static double postgresCpuSeconds() {
    double ticks = 0;
    java.io.File[] procs = new java.io.File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
    for (java.io.File p : procs == null ? new java.io.File[0] : procs) {
      try {
        String stat = java.nio.file.Files.readString(p.toPath().resolve("stat"));
        if (!stat.contains("(postgres)")) {
          continue;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // With what its children that have ended used (the server's count of its backends gone:
        // the JDBC baseline's close when it ends).
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
      } catch (java.io.IOException | RuntimeException gone) {
        // ended between the listing and the read
      }
    }
    return ticks / 100.0;
  }

  /**
   * CPU seconds the whole host has been busy so far (every process and the kernel: all but idle
   * and waiting on I/O), from /proc/stat in clock ticks of 1/100 s; 0 where there is no /proc.
   */
  static double hostBusySeconds() {
    try {
      String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / 100.0;
    } catch (java.io.IOException | RuntimeException none) {
      return 0;
    }
  }

  /** The {@code q}-quantile (0..1) of {@code values}, nearest rank; 0 if empty. */
  static double quantile(double[] values, double q) {
    if (values.length == 0) {
      return 0;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int i = (int) Math.ceil(q * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, i))];
  }

  static String machine() {
    return Runtime.getRuntime().availableProcessors() + " cores, " + (osMemoryMib() / 1024) + " GiB, Java " + System.getProperty("java.version");
  }

  private static long osMemoryMib() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() >> 20;
  }
}
