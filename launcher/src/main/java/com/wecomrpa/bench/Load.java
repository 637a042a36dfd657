package com.wecomrpa.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The load agents' JVM ({@link LoadAgentsProcess}), started and asked over its stdin and stdout. */
final class Load implements AutoCloseable {
  /** Every offer's arrival (nanoTime) by job id, and the ack latencies since the last clear. */
  record Dump(Map<String, Long> offered, double[] ackMillis) {}

  private static final Duration WAIT = Duration.ofMinutes(2);
  private final Process process;
  private final BufferedReader out;
  private final PrintStream in;

  private Load(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  static Load start(int port, String token, int accounts, int loadAgents) throws IOException {
    return start(String.valueOf(port), token, accounts, loadAgents);
  }

  /** {@code ports}: one port, or several separated by commas (a cluster's nodes). */
  static Load start(String ports, String token, int accounts, int loadAgents) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Xmx1g", "-Dwecom-rpa.job-log=WARN", "-cp", System.getProperty("java.class.path"),
            LoadAgentsProcess.class.getName(), ports, token, String.valueOf(accounts), String.valueOf(loadAgents))
        .redirectError(ProcessBuilder.Redirect.appendTo(Path.of("data", "bench", "dispatch", "load-agents.log").toFile()))
        .start();
    Load load = new Load(p);
    String first = load.out.readLine();
    if (!"ready".equals(first)) {
      p.destroyForcibly();
      throw new IllegalStateException("load agents did not start (see data/bench/dispatch/load-agents.log): " + first);
    }
    return load;
  }

  /** CPU seconds the load agents' JVM has used so far (0 where the system does not say). */
  double cpuSeconds() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  /** Reports acknowledged so far, and when the last one was (nanoTime). */
  long[] count() throws IOException {
    String[] parts = ask("count").split(" ");
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
  }

  /** Forgets the acknowledgements and the offers' arrivals so far: the next dump holds the next phase's only. */
  void clearAcks() throws IOException {
    ask("clear-acks");
  }

  void awaitAcks(long count) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    long seen;
    while ((seen = count()[0]) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + seen + " of " + count + " reports acknowledged after " + WAIT);
      }
      Thread.sleep(5);
    }
  }

  Dump dump() throws IOException {
    in.println("dump");
    Map<String, Long> offered = new HashMap<>();
    List<Double> acks = new ArrayList<>();
    for (String line; !(line = out.readLine()).equals("end"); ) {
      if (line.startsWith("O ")) {
        int sp = line.indexOf(' ', 2);
        offered.put(line.substring(sp + 1), Long.parseLong(line.substring(2, sp)));
      } else if (line.startsWith("A ")) {
        acks.add(Long.parseLong(line.substring(2)) / 1e6);
      }
    }
    return new Dump(offered, acks.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private String ask(String command) throws IOException {
    in.println(command);
    String line = out.readLine();
    if (line == null) {
      throw new IllegalStateException("load agents exited (see data/bench/dispatch/load-agents.log)");
    }
    return line;
  }

  @Override
  public void close() throws InterruptedException {
    in.println("quit");
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
