package com.wecomrpa.controller.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One outbound HTTP call on the calling (worker) thread: its status, or why there was none. */
record HttpCall(int status, String error) {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

  boolean ok() {
    return status >= 200 && status < 300;
  }

  /** A refusal that trying again will not change (4xx other than 408 and 429). */
  boolean definite() {
    return status >= 400 && status < 500 && status != 408 && status != 429;
  }

  String describe() {
    return error != null ? error : "HTTP " + status;
  }

  static HttpCall send(String method, String url, String body, Map<String, String> headers, Duration timeout) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
      headers.forEach(b::header);
      boolean hasBody = body != null && !method.equals("GET") && !method.equals("DELETE");
      if (hasBody) {
        b.header("Content-Type", "application/json");
      }
      b.method(method, hasBody ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
      HttpResponse<Void> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.discarding());
      return new HttpCall(r.statusCode(), null);
    } catch (java.net.http.HttpTimeoutException e) {
      return new HttpCall(0, "timed out after " + timeout.toSeconds() + " s");
    } catch (java.io.IOException | IllegalArgumentException e) {
      return new HttpCall(0, e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HttpCall(0, "interrupted");
    }
  }
}
