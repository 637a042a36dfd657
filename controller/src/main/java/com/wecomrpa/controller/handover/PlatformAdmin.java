package com.wecomrpa.controller.handover;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.protocol.WireCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The platform's admin API for handovers, as WeCom's server API shapes it
 * ({@code /cgi-bin/externalcontact/...}): a group's ownership and a customer's contact move from
 * one member (an account's id is its WeCom userid) to another; the customer may refuse. The
 * simulator serves the same paths. Blocking: called on a worker thread, never the event loop.
 */
public final class PlatformAdmin {
  /** What the platform did with one customer: 1 taken over, 2 waiting, 3 refused, other a failure code. */
  public record CustomerOutcome(String customerId, int status) {}

  private static final ObjectMapper JSON = WireCodec.mapper();
  private static final int BATCH = 100;

  private final String base;
  private final String corpId;
  private final Path secretFile;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public PlatformAdmin(String base, String corpId, Path secretFile) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.corpId = corpId;
    this.secretFile = secretFile;
  }

  /** Where it transfers, for messages. */
  public String base() {
    return base;
  }

  /** Gives the groups to {@code newOwner}; returns those the platform refused, each with its reason. */
  public Map<String, String> transferGroups(List<String> chatIds, String newOwner) throws IOException {
    Map<String, String> failed = new HashMap<>();
    String token = token();
    for (int i = 0; i < chatIds.size(); i += BATCH) {
      Map<String, Object> body = Map.of("chat_id_list", chatIds.subList(i, Math.min(chatIds.size(), i + BATCH)), "new_owner", newOwner);
      Map<String, Object> answer = post("/cgi-bin/externalcontact/groupchat/transfer", token, body);
      for (Map<String, Object> f : list(answer.get("failed_chat_list"))) {
        failed.put((String) f.get("chat_id"), "platform refused: " + f.get("errcode") + " " + f.get("errmsg"));
      }
    }
    return failed;
  }

  /** Asks each customer to move from {@code from} to {@code to}, then reads what each did. */
  public List<CustomerOutcome> transferCustomers(String from, String to, List<String> customerIds) throws IOException {
    String token = token();
    Set<String> asked = new LinkedHashSet<>();
    List<CustomerOutcome> out = new ArrayList<>();
    for (int i = 0; i < customerIds.size(); i += BATCH) {
      Map<String, Object> body = Map.of("handover_userid", from, "takeover_userid", to, "external_userid", customerIds.subList(i, Math.min(customerIds.size(), i + BATCH)));
      Map<String, Object> answer = post("/cgi-bin/externalcontact/transfer_customer", token, body);
      for (Map<String, Object> c : list(answer.get("customer"))) {
        int code = ((Number) c.get("errcode")).intValue();
        if (code == 0) {
          asked.add((String) c.get("external_userid"));
        } else {
          out.add(new CustomerOutcome((String) c.get("external_userid"), 1000 + code));
        }
      }
    }
    if (!asked.isEmpty()) {
      Map<String, Object> result = post("/cgi-bin/externalcontact/transfer_result", token, Map.of("handover_userid", from, "takeover_userid", to));
      Map<String, Integer> status = new HashMap<>();
      for (Map<String, Object> c : list(result.get("customer"))) {
        status.put((String) c.get("external_userid"), ((Number) c.get("status")).intValue());
      }
      for (String id : asked) {
        out.add(new CustomerOutcome(id, status.getOrDefault(id, 2)));
      }
    }
    return out;
  }

  private String token() throws IOException {
    String secret = secretFile == null ? "" : Files.readString(secretFile, StandardCharsets.UTF_8).trim();
    String url = base + "/cgi-bin/gettoken?corpid=" + enc(corpId == null ? "" : corpId) + "&corpsecret=" + enc(secret);
    Map<String, Object> answer = send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
    Object token = answer.get("access_token");
    if (token == null) {
      throw new IOException("the platform gave no access token: " + answer.get("errcode") + " " + answer.get("errmsg"));
    }
    return (String) token;
  }

  private Map<String, Object> post(String path, String token, Map<String, Object> body) throws IOException {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + path + "?access_token=" + enc(token))).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    Map<String, Object> answer = send(r);
    Object code = answer.get("errcode");
    if (code instanceof Number n && n.intValue() != 0) {
      throw new IOException(path + " answered " + n + " " + answer.get("errmsg"));
    }
    return answer;
  }

  private Map<String, Object> send(HttpRequest r) throws IOException {
    try {
      HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() / 100 != 2) {
        throw new IOException(r.uri().getPath() + " answered HTTP " + res.statusCode());
      }
      return JSON.readValue(res.body(), new TypeReference<>() {});
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object o) {
    return o == null ? List.of() : (List<Map<String, Object>>) o;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
