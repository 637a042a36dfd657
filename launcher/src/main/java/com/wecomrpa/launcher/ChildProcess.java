package com.wecomrpa.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One part of the product in its own JVM ({@code wecom-rpa controller | agent | simulator}), its
 * output kept in a log file and watched line by line, so a rehearsal can act the moment a part
 * says something (and kill it with SIGKILL right then).
 */
final class ChildProcess {
  private final String name;
  private final Process process;
  private final List<Watch> watches = new ArrayList<>();
  private final List<String> seen = new ArrayList<>();
  private final Thread reader;

  private record Watch(Pattern pattern, CompletableFuture<Matcher> hit) {}

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(() -> pump(log), name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code wecom-rpa ARGS} in a new JVM on this process's class path, appending its output to {@code log}. */
  static ChildProcess start(String name, Path log, List<String> jvmOptions, List<String> args) {
    return start(name, log, jvmOptions, args, java.util.Map.of());
  }

  /** As {@link #start(String, Path, List, List)} with {@code env} added to its environment (secrets stay off the command line). */
  static ChildProcess start(String name, Path log, List<String> jvmOptions, List<String> args, java.util.Map<String, String> env) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    // What bin/wecom-rpa gives every JVM: the access Hazelcast asks for.
    cmd.addAll(List.of("--add-modules", "java.se", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED", "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED"));
    if (args.get(0).equals("controller")) {
      cmd.add("-XX:MaxTenuringThreshold=3"); // as bin/wecom-rpa runs a controller (why: there)
    }
    cmd.addAll(jvmOptions);
    cmd.add("-DSE_OFFLINE=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("SE_OFFLINE", "true");
      pb.environment().putAll(env);
      return new ChildProcess(name, pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private void pump(Path log) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        out.flush();
        synchronized (watches) {
          seen.add(line);
          for (var it = watches.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            Matcher m = w.pattern().matcher(line);
            if (m.find()) {
              w.hit().complete(m);
              it.remove();
            }
          }
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /** Completes with the first line from now on that matches {@code regex}. */
  CompletableFuture<Matcher> next(String regex) {
    Watch w = new Watch(Pattern.compile(regex), new CompletableFuture<>());
    synchronized (watches) {
      watches.add(w);
    }
    return w.hit();
  }

  /** The first line so far, or from now on, that matches {@code regex}. */
  Matcher first(String regex, Duration timeout) {
    Pattern p = Pattern.compile(regex);
    CompletableFuture<Matcher> hit;
    synchronized (watches) {
      for (String line : seen) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      hit = new CompletableFuture<>();
      watches.add(new Watch(p, hit));
    }
    return await(hit, timeout, regex);
  }

  /** Every line so far. */
  List<String> lines() {
    synchronized (watches) {
      return List.copyOf(seen);
    }
  }

  /** How many lines so far match {@code regex}. */
  long count(String regex) {
    Pattern p = Pattern.compile(regex);
    synchronized (watches) {
      return seen.stream().filter(l -> p.matcher(l).find()).count();
    }
  }

  /** Waits for the first line from now on that matches {@code regex}. */
  Matcher await(String regex, Duration timeout) {
    return await(next(regex), timeout, regex);
  }

  Matcher await(CompletableFuture<Matcher> line, Duration timeout, String what) {
    try {
      // A part that exited will say nothing more: once all it wrote is read, stop waiting.
      CompletableFuture.anyOf(line, process.onExit().thenRun(this::readAll)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!line.isDone()) {
        throw new IllegalStateException("exited");
      }
      return line.join();
    } catch (Exception e) {
      List<String> all = lines();
      // What it said last is most often why: a refusal, a port taken, a part that did not start.
      throw new IllegalStateException(name + ": no line matching '" + what + "' within " + timeout + (process.isAlive() ? "" : " (it exited " + process.exitValue() + ")")
          + "; its last lines:\n  " + String.join("\n  ", all.subList(Math.max(0, all.size() - 8), all.size())));
    }
  }

  /** Waits (briefly) until every line the exited process wrote has been read. */
  private void readAll() {
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL: no shutdown hook, no goodbye, as a crash or an operator's kill -9. */
  void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A clean stop (SIGTERM), then SIGKILL for what is left. */
  void stop() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP: the process freezes where it is, sockets open, as in a long pause; {@link #resume()} thaws it. */
  void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process p = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }
}
