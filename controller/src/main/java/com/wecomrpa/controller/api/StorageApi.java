package com.wecomrpa.controller.api;

import com.wecomrpa.controller.retention.StorageUse;
import io.vertx.ext.web.Router;

/** {@code GET /storage}: what the store holds by kind, the oldest of each and its retention, and the disk it takes. */
public final class StorageApi implements ApiPart {
  private final StorageUse use;

  public StorageApi(StorageUse use) {
    this.use = use;
  }

  @Override
  public void mount(Router r, Replies replies) {
    r.get("/storage").handler(ctx -> replies.ok(ctx, use::now));
  }
}
