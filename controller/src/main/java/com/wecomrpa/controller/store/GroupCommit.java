package com.wecomrpa.controller.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;

/**
 * Durable before acknowledged, many commits per fsync. Whoever is about to acknowledge something
 * it committed (an offer, a report's ack, a welcome, an API 201) asks for {@link #flushed()} and
 * acknowledges when it completes: one {@code CHECKPOINT SYNC} then covers every commit made before
 * it began, so a dispatch pass or a burst of reports pays for one flush, not one each. A request
 * that arrives while a flush runs waits for the next one (its commit may have missed this one).
 * Called on one event loop (the controller's), like the dispatcher's kick.
 */
public final class GroupCommit {
  private final Database db;
  private final WorkerExecutor workers;
  private Promise<Void> waiting;
  private boolean flushing;

  public GroupCommit(Database db, WorkerExecutor workers) {
    this.db = db;
    this.workers = workers;
  }

  /** Completes once everything committed before this call is on disk (fsync). */
  public Future<Void> flushed() {
    if (!db.needsForce()) {
      return Future.succeededFuture(); // PostgreSQL: a commit that returned is on disk already
    }
    if (waiting == null) {
      waiting = Promise.promise();
    }
    Future<Void> mine = waiting.future();
    if (!flushing) {
      flush();
    }
    return mine;
  }

  private void flush() {
    Promise<Void> covered = waiting;
    waiting = null;
    flushing = true;
    workers
        .executeBlocking(() -> {
          db.forceToDisk();
          return null;
        }, false)
        .onComplete(ar -> {
          flushing = false;
          if (ar.succeeded()) {
            covered.complete();
          } else {
            covered.fail(ar.cause());
          }
          if (waiting != null) {
            flush();
          }
        });
  }
}
