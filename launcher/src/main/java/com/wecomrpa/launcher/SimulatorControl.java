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
import java.util.Map;

/**
 * A simulator running in its own process, reached through its control API on loopback: its own
 * record (messages per group, per contact) and what a rehearsal changes in it (contacts, how long a
 * send takes). The rehearsals judge by this record, never by the controller's.
 */
final class SimulatorControl {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();
  private final int port;

  SimulatorControl(int port) {
    this.port = port;
  }

  int port() {
    return port;
  }

  /** Messages per group in the simulator's own record. */
  Map<String, Object> messageCounts() {
    return new JsonObject(call(request("/message-counts").build())).getMap();
  }

  /** Puts contacts (customers) into the simulator's world: id, account, nickname each. */
  void seedContacts(JsonArray contacts) {
    call(request("/contacts").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("contacts", contacts).encode())).build());
  }

  /** How many messages the simulator holds for a contact (a customer's private chat). */
  int contactMessages(String contactId) {
    return new JsonArray(call(request("/contacts/" + contactId + "/messages").build())).size();
  }

  /** How long the client takes to confirm each send of this account. */
  void sendDelay(String account, long millis) {
    call(request("/accounts/" + account + "/send-delay").header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"millis\":" + millis + "}")).build());
  }

  /** The platform restricts the account (a complaint, a review): its next send meets the restriction screen. */
  void restrict(String account) {
    call(request("/accounts/" + account + "/restrict").POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  /** The share of customers (0-100, decided per customer id) who refuse to be handed to another account. */
  void refuseTransfers(int percent) {
    call(request("/transfer-refusals").header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"percent\":" + percent + "}")).build());
  }

  /** Every group and customer the platform's admin API was asked to move, and what became of each. */
  JsonArray transfers() {
    return new JsonArray(call(request("/transfers").build()));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/api" + path)).timeout(Duration.ofSeconds(10));
  }

  private String call(HttpRequest req) {
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 300) {
        throw new IllegalStateException(req.uri() + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
