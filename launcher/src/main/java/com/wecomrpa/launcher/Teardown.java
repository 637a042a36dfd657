package com.wecomrpa.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * What this process started is stopped, at any moment: Ctrl-C or SIGTERM closes the parts it was
 * given (newest first, within a budget), then ends whatever is left below this process (browsers,
 * chromedrivers, child JVMs, an Appium server), then exits. A second Ctrl-C ends everything at
 * once. If this process is killed with SIGKILL, a small guard process it started ends what was
 * below it within a few seconds. One per process, as signals are.
 */
public final class Teardown {
  /** How long the orderly stop may take before what is left is killed: inside the promised 10 s. */
  private static final long CLOSE_BUDGET_MILLIS = 5_000;

  private static Teardown process;
  private static Process guard;

  private record Part(String name, AutoCloseable part, Runnable urgent) {}

  private final List<Part> parts = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;

  private Teardown() {}

  /** This process's teardown: its signal handlers are installed on first use. */
  public static synchronized Teardown process() {
    if (process == null) {
      process = new Teardown();
      process.install();
    }
    return process;
  }

  /**
   * For a process that starts others (browsers, child JVMs, Appium): also ends them should this
   * process be killed with SIGKILL. Off only where a test examines what a killed process leaves
   * behind on its own ({@code -Dwecom-rpa.orphan-guard=false}).
   */
  public static synchronized Teardown guardingChildren() {
    return guardingChildren(new Path[0]);
  }

  /**
   * As {@link #guardingChildren()}, for a process whose browsers keep their files under {@code
   * homes}: Chromium's crash handlers leave their parent at once (they are nobody's child), so the
   * guard also ends the crash handlers whose command line names one of these folders.
   */
  public static synchronized Teardown guardingChildren(Path... homes) {
    Teardown t = process();
    if (guard == null && !"false".equals(System.getProperty("wecom-rpa.orphan-guard"))) {
      startOrphanGuard(homes);
    }
    return t;
  }

  /** Has the process's teardown close {@code part} at a stop, when a command installed one (tests do not). */
  public static synchronized <T extends AutoCloseable> T track(String name, T part, Runnable urgent) {
    return process == null ? part : process.add(name, part, urgent);
  }

  /** Forgets {@code part} in the process's teardown, if any. */
  public static synchronized void untrack(AutoCloseable part) {
    if (process != null) {
      process.remove(part);
    }
  }

  /** Closes {@code part} at a stop; returns it. */
  public <T extends AutoCloseable> T add(String name, T part) {
    return add(name, part, null);
  }

  /** As {@link #add(String, AutoCloseable)}; {@code urgent} runs instead at a second Ctrl-C (e.g. an immediate database stop). */
  public synchronized <T extends AutoCloseable> T add(String name, T part, Runnable urgent) {
    parts.add(new Part(name, part, urgent));
    return part;
  }

  /** Forgets a part that was closed by its owner. */
  public synchronized void remove(AutoCloseable part) {
    parts.removeIf(p -> p.part() == part);
  }

  /**
   * Whether Ctrl-C or SIGTERM has begun stopping this process: a command that fails meanwhile
   * (its browser or database closed under it) failed because of the stop, not on its own.
   */
  static synchronized boolean stopBegun() {
    return process != null && process.stopping;
  }

  /** Blocks until a stop signal has been handled (the process then exits on its own). */
  public void awaitStop() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void install() {
    for (String name : List.of("INT", "TERM")) {
      int code = name.equals("INT") ? 130 : 143;
      try {
        Signal.handle(new Signal(name), s -> onSignal(code));
      } catch (IllegalArgumentException e) {
        System.err.println("wecom-rpa: cannot handle SIG" + name + " (" + e.getMessage() + "); the JVM's default applies");
      }
    }
    // A normal exit too ends whatever is still below this process, the guard included.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> killDescendants(2_000), "teardown-at-exit"));

  }

  private void onSignal(int code) {
    if (stopping) {
      // A second Ctrl-C: no more waiting.
      System.err.println("wecom-rpa: killing everything now");
      for (Part p : snapshot()) {
        if (p.urgent() != null) {
          runQuietly(p.urgent()::run);
        }
      }
      killDescendants(0);
      Runtime.getRuntime().halt(code);
      return;
    }
    stopping = true;
    System.err.println("wecom-rpa: stopping (Ctrl-C again to kill at once)");
    Thread t = new Thread(() -> stopAll(code), "teardown");
    t.setDaemon(false);
    t.start();
  }

  private void stopAll(int code) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_BUDGET_MILLIS);
    // Child processes (controllers, agents, a simulator of a rehearsal) start their own clean stop
    // now, in parallel with ours; what is left of them is killed at the end.
    ProcessHandle.current().descendants().filter(h -> guard == null || h.pid() != guard.pid()).forEach(ProcessHandle::destroy);
    List<Part> all = snapshot();
    for (int i = all.size() - 1; i >= 0; i--) {
      Part p = all.get(i);
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        System.err.println("wecom-rpa: out of time closing " + p.name() + "; ending what is left");
        if (p.urgent() != null) {
          runQuietly(p.urgent()::run);
        }
        continue;
      }
      Thread closer = new Thread(() -> runQuietly(() -> p.part().close()), "teardown-" + p.name());
      closer.setDaemon(true);
      closer.start();
      try {
        closer.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    killDescendants(2_500);
    stopped.countDown();
    System.out.flush();
    Runtime.getRuntime().halt(code);
  }

  private synchronized List<Part> snapshot() {
    return List.copyOf(parts);
  }

  /** SIGTERM to every process below this one, then SIGKILL to those still there after {@code graceMillis}. */
  static void killDescendants(long graceMillis) {
    List<ProcessHandle> below = ProcessHandle.current().descendants().toList();
    if (graceMillis > 0) {
      // The guard ignores TERM by design; it is killed with the rest below.
      below.stream().filter(h -> guard == null || h.pid() != guard.pid()).forEach(ProcessHandle::destroy);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
      for (ProcessHandle h : below) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        if (guard != null && h.pid() == guard.pid()) {
          continue;
        }
        try {
          h.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          // still there: killed below
        }
      }
    }
    // Those started meanwhile (a browser's helper) count too.
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    below.forEach(ProcessHandle::destroyForcibly);
  }

  private static void runQuietly(ThrowingRunnable r) {
    try {
      r.run();
    } catch (Exception | Error e) {
      System.err.println("wecom-rpa: while stopping: " + e);
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /**
   * A shell loop beside this process that notes every second what runs below it and, once this
   * process is gone (SIGKILL gives it no chance to clean up), ends those: TERM, then KILL.
   */
  private static void startOrphanGuard(Path... homes) {
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", ORPHAN_GUARD, "wecom-rpa-orphan-guard", String.valueOf(ProcessHandle.current().pid())));
    for (Path h : homes) {
      command.add(h.toAbsolutePath().normalize().toString());
    }
    try {
      guard = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the orphan guard", e);
    }
  }

  /**
   * $1: the process to watch; $2...: folders its browsers keep their files in. Descendants are
   * read from /proc (no procps needed); the guard's own subtree is left out. Once the watched
   * process is gone, what it had below it a second ago is ended with everything now below those (a
   * browser's helper started since the last look), and the Chromium crash handlers (nobody's
   * children) that name one of the folders.
   */
  private static final String ORPHAN_GUARD =
      """
      watched=$1
      shift
      crash_handlers() {
        for h in "$@"; do
          grep -l -s -a -F -e "$h" /proc/[0-9]*/cmdline | while read -r f; do
            p=${f#/proc/}; p=${p%/cmdline}
            case "$(tr '\\0' '\\n' < "$f" 2>/dev/null | head -n 1)" in
              *chrome_crashpad_handler) printf "%s " "$p" ;;
            esac
          done
        done
      }
      below() {
        grep -s -H '^PPid:' /proc/[0-9]*/status | awk -F'[/:\t ]+' -v roots="$*" -v self="$$" '
          { parent[$3] = $6 }
          END {
            n = split(roots, q, " ")
            for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == q[i] && p != self) { q[++n] = p; printf "%s ", p }
          }'
      }
      trap '' INT TERM HUP
      seen=""
      while kill -0 "$watched" 2>/dev/null; do
        now=$(below "$watched")
        # A look taken while the watched process died misses its orphans (already re-parented):
        # only a look it outlived replaces the last one.
        kill -0 "$watched" 2>/dev/null && seen=$now
        sleep 1
      done
      [ -n "$seen" ] || [ $# -gt 0 ] || exit 0
      seen="$seen $(below $seen) $(crash_handlers "$@")"
      kill -TERM $seen 2>/dev/null
      sleep 3
      kill -KILL $seen $(below $seen) $(crash_handlers "$@") 2>/dev/null
      exit 0
      """;
}
