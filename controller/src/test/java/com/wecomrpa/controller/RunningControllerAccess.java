package com.wecomrpa.controller;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;

/** {@link RunningController} for tests in other packages. */
public final class RunningControllerAccess implements AutoCloseable {
  public record Reply(int status, JsonNode body) {}

  private final RunningController rc;

  private RunningControllerAccess(RunningController rc) {
    this.rc = rc;
  }

  public static RunningControllerAccess start(Path dir, Clock clock) {
    return new RunningControllerAccess(RunningController.start(dir, clock, o -> o));
  }

  public Reply get(String path) {
    return wrap(rc.get(path));
  }

  public Reply post(String path, String json) {
    return wrap(rc.post(path, json));
  }

  public Reply put(String path, String json) {
    return wrap(rc.put(path, json));
  }

  public Reply await(String path, Predicate<JsonNode> check, Duration timeout) {
    return wrap(rc.await(path, check, timeout));
  }

  /** Waits until the plan expansion has run {@code n} more times than now. */
  public void awaitExpansions(int n) {
    rc.awaitExpansions(n);
  }

  public void restart() {
    rc.restart();
  }

  private static Reply wrap(RunningController.Reply r) {
    return new Reply(r.status(), r.body());
  }

  @Override
  public void close() {
    rc.close();
  }
}
