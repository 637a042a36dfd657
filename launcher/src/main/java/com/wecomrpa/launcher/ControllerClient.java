package com.wecomrpa.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** The controller's REST API as the demo (or any script) uses it. */
public final class ControllerClient implements AutoCloseable {
  private final WebClient http;
  private final String root;
  private final String base;
  private final String bearer;

  /** A client acting with {@code token}'s role. */
  public ControllerClient(Vertx vertx, String baseUrl, String token) {
    this(vertx, baseUrl, token, null);
  }

  /** Over https, trusting the certificates signed by {@code caFile} (null: the system trust store), host name checked. */
  public ControllerClient(Vertx vertx, String baseUrl, String token, java.nio.file.Path caFile) {
    io.vertx.ext.web.client.WebClientOptions o = new io.vertx.ext.web.client.WebClientOptions().setVerifyHost(true);
    if (caFile != null) {
      o.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(caFile.toString()));
    }
    this.http = WebClient.create(vertx, o);
    this.root = baseUrl;
    this.base = baseUrl + "/api/v1";
    this.bearer = "Bearer " + token;
  }

  public Future<JsonObject> createAccount(String id, String platform, String name, String zone) {
    return post("/accounts", new JsonObject().put("id", id).put("platform", platform).put("displayName", name).put("timeZone", zone));
  }

  public Future<JsonObject> createGroups(JsonArray groups) {
    return post("/groups/batch", new JsonObject().put("groups", groups));
  }

  public Future<JsonObject> broadcastToTag(String id, String text, String tag) {
    return post(
        "/broadcasts",
        new JsonObject().put("id", id).put("content", new JsonObject().put("kind", "text").put("text", text)).put("target", new JsonObject().put("tag", tag)));
  }

  public Future<JsonObject> broadcast(String id) {
    return http.getAbs(base + "/broadcasts/" + id).putHeader("Authorization", bearer).send().map(r -> expect(r, 200).bodyAsJsonObject());
  }

  public Future<JsonObject> broadcastToGroups(String id, String text, JsonArray groupIds) {
    return post(
        "/broadcasts",
        new JsonObject().put("id", id).put("content", new JsonObject().put("kind", "text").put("text", text)).put("target", new JsonObject().put("groupIds", groupIds)));
  }

  /** Any POST under /api/v1, answered with its status and raw body. */
  public Future<HttpResponse<Buffer>> postRaw(String path, JsonObject body) {
    return http.postAbs(base + path).putHeader("Authorization", bearer).sendJsonObject(body);
  }

  /** Any PUT under /api/v1, answered with its status and raw body. */
  public Future<HttpResponse<Buffer>> putRaw(String path, JsonObject body) {
    return http.putAbs(base + path).putHeader("Authorization", bearer).sendJsonObject(body);
  }

  /** Any DELETE under /api/v1, answered with its status and raw body. */
  public Future<HttpResponse<Buffer>> delete(String path) {
    return http.deleteAbs(base + path).putHeader("Authorization", bearer).send();
  }

  /** The controller's address, e.g. http://127.0.0.1:8080 (the API is under /api/v1, the console under /console/). */
  public String baseUrl() {
    return root;
  }

  public Future<HttpResponse<Buffer>> get(String path) {
    return http.getAbs(base + path).putHeader("Authorization", bearer).send();
  }

  private Future<JsonObject> post(String path, JsonObject body) {
    return http.postAbs(base + path).putHeader("Authorization", bearer).sendJsonObject(body).map(r -> expect(r, 201).bodyAsJsonObject());
  }

  private static HttpResponse<Buffer> expect(HttpResponse<Buffer> r, int status) {
    if (r.statusCode() != status) {
      throw new IllegalStateException("controller answered " + r.statusCode() + ": " + r.bodyAsString());
    }
    return r;
  }

  @Override
  public void close() {
    http.close();
  }
}
