package com.wecomrpa.simulator;

import static com.wecomrpa.simulator.Http.guarded;
import static com.wecomrpa.simulator.Http.readBody;
import static com.wecomrpa.simulator.Http.send;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The platform's admin side of a handover, in the shape of WeCom's server API
 * ({@code /cgi-bin/externalcontact/...}): a group's ownership moves at once; a customer may refuse
 * (a refusal rate, decided per customer id so a run can be repeated, or named customers), and the
 * transfer result says who moved and who refused. Every transfer is kept in the record
 * ({@code /sim/api/transfers}).
 */
final class Transfers {
  /** One group or customer the admin asked to move, and what became of it. */
  record Transfer(String kind, String id, String from, String to, String outcome, Instant at) {}

  private static final String TOKEN = "sim-access-token";

  private final ChatWorld world;
  private final Clock clock;
  private final List<Transfer> record = new ArrayList<>();
  private int refusalPercent;
  private final Set<String> refusers = new HashSet<>();

  Transfers(ChatWorld world, Clock clock) {
    this.world = world;
    this.clock = clock;
  }

  void mount(Router r) {
    r.get("/cgi-bin/gettoken").handler(ctx -> send(ctx, 200, Map.of("errcode", 0, "errmsg", "ok", "access_token", TOKEN, "expires_in", 7200)));
    r.post("/cgi-bin/externalcontact/groupchat/transfer").handler(ctx -> api(ctx, () -> {
      Map<String, Object> body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 200, groups(strings(body.get("chat_id_list")), (String) body.get("new_owner")));
    }));
    r.post("/cgi-bin/externalcontact/groupchat/onjob_transfer").handler(ctx -> api(ctx, () -> {
      Map<String, Object> body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 200, groups(strings(body.get("chat_id_list")), (String) body.get("new_owner")));
    }));
    for (String path : List.of("/cgi-bin/externalcontact/transfer_customer", "/cgi-bin/externalcontact/resigned/transfer_customer")) {
      r.post(path).handler(ctx -> api(ctx, () -> {
        Map<String, Object> body = readBody(ctx, new TypeReference<>() {});
        send(ctx, 200, customers((String) body.get("handover_userid"), (String) body.get("takeover_userid"), strings(body.get("external_userid"))));
      }));
    }
    for (String path : List.of("/cgi-bin/externalcontact/transfer_result", "/cgi-bin/externalcontact/resigned/transfer_result")) {
      r.post(path).handler(ctx -> api(ctx, () -> {
        Map<String, Object> body = readBody(ctx, new TypeReference<>() {});
        send(ctx, 200, result((String) body.get("handover_userid"), (String) body.get("takeover_userid")));
      }));
    }
    r.get("/sim/api/transfers").handler(ctx -> send(ctx, 200, list()));
    r.put("/sim/api/transfer-refusals").handler(ctx -> guarded(ctx, () -> {
      Map<String, Object> body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 200, refusals(body.get("percent") == null ? 0 : ((Number) body.get("percent")).intValue(), strings(body.get("customers"))));
    }));
  }

  private void api(RoutingContext ctx, Runnable action) {
    if (!TOKEN.equals(ctx.queryParams().get("access_token"))) {
      send(ctx, 200, Map.of("errcode", 42001, "errmsg", "access_token expired or invalid"));
      return;
    }
    guarded(ctx, action);
  }

  private synchronized Map<String, Object> refusals(int percent, List<String> customers) {
    if (percent < 0 || percent > 100) {
      throw new ChatWorld.WorldException(400, "percent must be 0..100");
    }
    refusalPercent = percent;
    refusers.clear();
    refusers.addAll(customers);
    return Map.of("percent", refusalPercent, "customers", List.copyOf(refusers));
  }

  private synchronized Map<String, Object> groups(List<String> chatIds, String newOwner) {
    List<Map<String, Object>> failed = new ArrayList<>();
    for (String id : chatIds) {
      ChatWorld.Conversation c = world.find(id);
      if (c == null || !c.type().equals("group") || !world.hasAccount(newOwner)) {
        failed.add(Map.of("chat_id", id, "errcode", 40050, "errmsg", c == null ? "chat_id not found" : "invalid new_owner"));
        continue;
      }
      try {
        world.transfer(id, newOwner);
        record.add(new Transfer("group", id, c.accountId(), newOwner, "moved", clock.instant()));
      } catch (ChatWorld.WorldException f) {
        failed.add(Map.of("chat_id", id, "errcode", 40050, "errmsg", f.getMessage()));
      }
    }
    return Map.of("errcode", 0, "errmsg", "ok", "failed_chat_list", failed);
  }

  private synchronized Map<String, Object> customers(String from, String to, List<String> ids) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : ids) {
      ChatWorld.Conversation c = world.find(id);
      if (c == null || !c.type().equals("private") || !c.accountId().equals(from) || !world.hasAccount(to)) {
        out.add(Map.of("external_userid", id, "errcode", 40096));
        continue;
      }
      // Scrambled so that ids in a row (cu-1-01, cu-1-02...) do not fall in a row of percentiles.
      boolean refuses = refusers.contains(id) || Math.floorMod(Integer.rotateLeft(id.hashCode() * 0x9E3779B9, 16), 100) < refusalPercent;
      if (refuses) {
        record.add(new Transfer("customer", id, from, to, "refused", clock.instant()));
      } else {
        world.transfer(id, to);
        record.add(new Transfer("customer", id, from, to, "moved", clock.instant()));
      }
      out.add(Map.of("external_userid", id, "errcode", 0));
    }
    return Map.of("errcode", 0, "errmsg", "ok", "customer", out);
  }

  /** Status as WeCom gives it: 1 taken over, 3 refused by the customer. */
  private synchronized Map<String, Object> result(String from, String to) {
    Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
    for (Transfer t : record) {
      if (t.kind().equals("customer") && t.from().equals(from) && t.to().equals(to)) {
        latest.put(t.id(), Map.of("external_userid", t.id(), "status", t.outcome().equals("moved") ? 1 : 3, "takeover_time", t.at().getEpochSecond()));
      }
    }
    return Map.of("errcode", 0, "errmsg", "ok", "customer", List.copyOf(latest.values()));
  }

  private synchronized List<Transfer> list() {
    return List.copyOf(record);
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object o) {
    return o == null ? List.of() : (List<String>) o;
  }
}
