package com.wecomrpa.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guessing tokens from one address: after a few bad tokens the answers slow down, then the address
 * is refused for a while and an alert is raised; a good token from another address (127.0.0.2,
 * loopback too) is answered as always.
 */
class LoginThrottleTest {
  @TempDir Path dir;
  RunningController controller;

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void twoHundredBadTokensAreSlowedThenRefusedWithAnAlertWhileAGoodTokenFromElsewhereWorks() throws Exception {
    controller = RunningController.start(dir, Clock.systemUTC(), o -> o);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
    List<Long> started = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      started.add(System.nanoTime());
      answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.port() + "/api/v1/accounts"))
          .header("Authorization", "Bearer guess-" + i).build(), HttpResponse.BodyHandlers.discarding()));
      // The first ones one after another, as a guesser would: five free, then held back 0.1, 0.2,
      // 0.4, 0.8 and 1.6 s.
      if (i < 10) {
        answers.get(i).join();
      }
    }
    Map<Integer, Integer> statuses = new TreeMap<>();
    long slowest = 0;
    for (int i = 0; i < 200; i++) {
      HttpResponse<Void> r = answers.get(i).join();
      statuses.merge(r.statusCode(), 1, Integer::sum);
      if (i < 10) {
        slowest = Math.max(slowest, (System.nanoTime() - started.get(i)) / 1_000_000);
      }
    }
    assertThat(statuses.get(401)).as("the first bad tokens are told so: %s", statuses).isBetween(45, 100);
    assertThat(statuses.get(429)).as("then the address is refused outright: %s", statuses).isGreaterThanOrEqualTo(100);
    assertThat(statuses.get(401) + statuses.get(429)).isEqualTo(200);
    assertThat(slowest).as("later bad tokens were answered slowly (ms)").isGreaterThanOrEqualTo(1000);

    // The same admin token from 127.0.0.1 waits out the lock; from 127.0.0.2 it works.
    assertThat(controller.get("/accounts").status()).isEqualTo(429);
    assertThat(getFrom("127.0.0.2", "/api/v1/accounts", RunningController.ADMIN_TOKEN)).startsWith("HTTP/1.1 200");
    String alerts = getFrom("127.0.0.2", "/api/v1/alerts", RunningController.ADMIN_TOKEN);
    assertThat(alerts).contains("login:throttled").contains("127.0.0.1");
  }

  /** A plain HTTP/1.1 GET from a chosen loopback source address. */
  private String getFrom(String source, String path, String token) throws Exception {
    try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), controller.port(), InetAddress.getByName(source), 0)) {
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
