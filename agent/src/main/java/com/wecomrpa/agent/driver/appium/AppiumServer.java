package com.wecomrpa.agent.driver.appium;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An Appium server on loopback, run from the project's own install ({@code bin/install-appium}
 * puts it under {@code .tools/}); started and stopped with the agent that needs it.
 */
public final class AppiumServer implements AutoCloseable {
  private final Process process;
  private final URL url;

  private AppiumServer(Process process, URL url) {
    this.process = process;
    this.url = url;
  }

  /** Where the project installs Appium, relative to its root. */
  public static Path executable(Path tools) {
    return tools.resolve("appium").resolve("node_modules").resolve(".bin").resolve("appium");
  }

  /** A message saying what is missing, or null when Appium and its Chromium driver are installed. */
  public static String missing(Path tools) {
    if (!Files.isExecutable(executable(tools))) {
      return "Appium is not installed under " + tools + " (run bin/install-appium)";
    }
    if (!Files.isDirectory(tools.resolve("appium-home").resolve("node_modules").resolve("appium-chromium-driver"))) {
      return "Appium's Chromium driver is not installed under " + tools.resolve("appium-home") + " (run bin/install-appium)";
    }
    return null;
  }

  public static AppiumServer start(Path tools, int port, Path log) {
    String problem = missing(tools);
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(executable(tools).toString(), "server", "--address", "127.0.0.1", "--port", String.valueOf(port), "--log-no-colors")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("APPIUM_HOME", tools.resolve("appium-home").toAbsolutePath().toString());
      Process p = pb.start();
      URL url = URI.create("http://127.0.0.1:" + port).toURL();
      AppiumServer server = new AppiumServer(p, url);
      server.awaitReady(Duration.ofSeconds(60), log);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URL url() {
    return url;
  }

  private void awaitReady(Duration timeout, Path log) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Appium server exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpURLConnection c = (HttpURLConnection) new URL(url, "/status").openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(500);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (MalformedURLException e) {
        throw new IllegalStateException(e);
      } catch (IOException notYet) {
        // still starting
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }
    close();
    throw new IllegalStateException("Appium server not ready after " + timeout + "; see " + log);
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
