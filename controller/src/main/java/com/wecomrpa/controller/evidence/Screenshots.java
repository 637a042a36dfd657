package com.wecomrpa.controller.evidence;

import java.util.Optional;

/**
 * Where the screenshots of failed steps are kept: files under the controller's data folder when it
 * runs alone on the embedded store, rows of the shared database in a cluster (any node serves
 * {@code /executions/:id/screenshot}, whichever node received the report). Blocking: call on a
 * worker.
 */
public interface Screenshots {
  /** Keeps one execution's PNG (base64 from the agent); returns the reference stored with the execution, or null if unreadable. */
  String save(String jobId, long fencingToken, String base64Png);

  /** The PNG a reference points to, if it is still there. */
  Optional<byte[]> read(String reference);

  /** Forgets it (retention, erasure); nothing if it is already gone. */
  void delete(String reference);
}
