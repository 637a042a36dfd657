package com.wecomrpa.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.IntPredicate;

/** A cluster's REST API as an operator reaches it: asked of the first node that is up and answers. */
final class ClusterApi {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();
  private final int[] ports;
  private final IntPredicate alive;
  private volatile String token;

  /** {@code ports}: each node's HTTP port; {@code alive}: whether node i's process runs. */
  ClusterApi(int[] ports, IntPredicate alive) {
    this.ports = ports;
    this.alive = alive;
  }

  /** The admin token the first node printed once. */
  void token(String token) {
    this.token = token;
  }

  /** Node {@code i}'s {@code /ready} body, or null when it does not answer. */
  JsonObject ready(int i) {
    try {
      HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i] + "/ready")).timeout(Duration.ofSeconds(2)).build());
      return new JsonObject(r.body());
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** POSTs to the first node that answers. */
  JsonObject post(String path, JsonObject body) {
    HttpResponse<String> r = api(b -> b.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())), path);
    if (r.statusCode() >= 300) {
      throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
  }

  /** GETs from the first node that answers; null if none does. */
  String get(String path) {
    try {
      HttpResponse<String> r = api(HttpRequest.Builder::GET, path);
      return r.statusCode() == 200 ? r.body() : null;
    } catch (UncheckedIOException e) {
      return null;
    }
  }

  /** GET of an API path from the first node that answers, as a JSON object or array. */
  Object getAny(String path) {
    String body = get(path);
    if (body == null) {
      throw new IllegalStateException("no controller answered GET " + path);
    }
    return body.startsWith("[") ? new JsonArray(body) : new JsonObject(body);
  }

  /** A broadcast's progress counts (QUEUED, LEASED, ... SUCCEEDED), or null while no node answers. */
  JsonObject progress(String broadcast) {
    String body = get("/broadcasts/" + broadcast);
    return body == null ? null : new JsonObject(body).getJsonObject("progress");
  }

  /**
   * Sends with the request's timeout enforced here as well: a node frozen half-way through an
   * answer (headers sent, body not) is waited on forever by the client's own timeout.
   */
  private HttpResponse<String> send(HttpRequest req) throws IOException, InterruptedException {
    var pending = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    try {
      return pending.get(req.timeout().orElse(Duration.ofSeconds(10)).toMillis() + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      pending.cancel(true);
      throw new java.net.http.HttpTimeoutException("no whole answer from " + req.uri() + " in time");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  private HttpResponse<String> api(java.util.function.UnaryOperator<HttpRequest.Builder> how, String path) {
    UncheckedIOException last = null;
    for (int i = 0; i < ports.length; i++) {
      if (!alive.test(i)) {
        continue;
      }
      try {
        HttpRequest req = how.apply(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i] + "/api/v1" + path))
            .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)).build();
        return send(req);
      } catch (IOException e) {
        last = new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }
    throw last != null ? last : new UncheckedIOException(new IOException("no controller is running"));
  }
}
