package com.wecomrpa.controller.api;

import io.vertx.ext.web.Router;

/** A group of routes under /api/v1 that mounts itself on the API router. */
public interface ApiPart {
  void mount(Router r, Replies replies);
}
