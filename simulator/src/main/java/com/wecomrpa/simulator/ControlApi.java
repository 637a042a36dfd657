package com.wecomrpa.simulator;

import static com.wecomrpa.simulator.Http.guarded;
import static com.wecomrpa.simulator.Http.readBody;
import static com.wecomrpa.simulator.Http.send;

import com.fasterxml.jackson.core.type.TypeReference;
import com.wecomrpa.simulator.ChatWorld.Account;
import com.wecomrpa.simulator.ChatWorld.Group;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The operator's side, {@code /sim/api/*}: seed accounts, groups and contacts; read what really
 * arrived; make customers talk; set faults and the platform's strictness. Also the receiver of the
 * systems around ({@code /sim/hooks/NAME}), which keeps every call it got.
 */
final class ControlApi {
  record SeedContacts(List<ChatWorld.Contact> contacts) {}

  record SeedAccounts(List<Account> accounts) {}

  record SeedGroups(List<Group> groups) {}

  private final ChatWorld world;
  private final Rosters rosters;
  private final java.util.function.LongConsumer acceptInvitationsAfter;
  private final RiskGuard risk;
  private final Faults faults;
  private final Function<Chatter.Schedule, Map<String, Object>> startChatter;
  private final java.util.function.BooleanSupplier chatterRunning;
  private final List<Simulator.HookCall> hookCalls;
  private final Clock clock;

  ControlApi(ChatWorld world, Rosters rosters, java.util.function.LongConsumer acceptInvitationsAfter, RiskGuard risk, Faults faults, Function<Chatter.Schedule, Map<String, Object>> startChatter,
      java.util.function.BooleanSupplier chatterRunning, List<Simulator.HookCall> hookCalls, Clock clock) {
    this.world = world;
    this.rosters = rosters;
    this.acceptInvitationsAfter = acceptInvitationsAfter;
    this.risk = risk;
    this.faults = faults;
    this.startChatter = startChatter;
    this.chatterRunning = chatterRunning;
    this.hookCalls = hookCalls;
    this.clock = clock;
  }

  void mount(Router r) {
    r.post("/sim/api/accounts").handler(ctx -> guarded(ctx, () -> {
      SeedAccounts body = readBody(ctx, new TypeReference<>() {});
      world.addAccounts(body.accounts() == null ? List.of() : body.accounts());
      send(ctx, 201, Map.of("created", body.accounts() == null ? 0 : body.accounts().size()));
    }));
    r.post("/sim/api/groups").handler(ctx -> guarded(ctx, () -> {
      SeedGroups body = readBody(ctx, new TypeReference<>() {});
      world.addGroups(body.groups() == null ? List.of() : body.groups());
      send(ctx, 201, Map.of("created", body.groups() == null ? 0 : body.groups().size()));
    }));
    r.post("/sim/api/contacts").handler(ctx -> guarded(ctx, () -> {
      SeedContacts body = readBody(ctx, new TypeReference<>() {});
      world.addContacts(body.contacts() == null ? List.of() : body.contacts());
      send(ctx, 201, Map.of("created", body.contacts() == null ? 0 : body.contacts().size()));
    }));
    r.get("/sim/api/groups/:id/messages").handler(ctx -> guarded(ctx, () -> send(ctx, 200, world.messagesOf(ctx.pathParam("id")))));
    r.get("/sim/api/contacts/:id/messages").handler(ctx -> guarded(ctx, () -> send(ctx, 200, world.messagesOf(ctx.pathParam("id")))));
    r.get("/sim/api/messages").handler(ctx -> send(ctx, 200, world.allMessages()));
    r.get("/sim/api/conversations/:id/log").handler(ctx -> guarded(ctx, () -> send(ctx, 200, world.chatLog(ctx.pathParam("id")))));
    // Customers talking: one message written by a customer, or a stream of them on a schedule.
    r.post("/sim/api/conversations/:id/customer-messages").handler(ctx -> guarded(ctx, () -> {
      ClientApp.ClientMessage body = readBody(ctx, new TypeReference<>() {});
      Map<String, String> payload = body.payload() == null ? Map.of() : body.payload();
      send(ctx, 201, world.customerWrites(ctx.pathParam("id"), payload.get("senderId"), payload.get("senderName"),
          body.kind() == null ? "text" : body.kind(), body.text(), payload));
    }));
    // A person on the device answers by hand: the product did not send it, the chat shows it.
    r.post("/sim/api/conversations/:id/person-messages").handler(ctx -> guarded(ctx, () -> {
      ClientApp.ClientMessage body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 201, world.personOnDeviceWrites(ctx.pathParam("id"), body.text()));
    }));
    r.post("/sim/api/chatter").handler(ctx -> guarded(ctx, () -> {
      Chatter.Schedule body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 201, startChatter.apply(body));
    }));
    r.get("/sim/api/chatter").handler(ctx -> send(ctx, 200, Map.of("written", world.customerMessageCount(), "running", chatterRunning.getAsBoolean())));
    r.get("/sim/api/customer-messages").handler(ctx -> send(ctx, 200, world.customerMessages()));
    r.get("/sim/api/message-counts").handler(ctx -> send(ctx, 200, world.messageCounts()));
    r.get("/sim/api/moments").handler(ctx -> send(ctx, 200, world.momentsOf(ctx.queryParams().get("account"))));
    r.put("/sim/api/conversations/:id/name").handler(ctx -> guarded(ctx, () -> {
      Map<String, String> body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 200, world.rename(ctx.pathParam("id"), body.get("name")));
    }));
    mountRosters(r);
    mountFaults(r);
    // The systems around (SMS gateway, call centre, CRM) as one receiver that keeps every call it got.
    r.post("/sim/hooks/:name").handler(ctx -> {
      hookCalls.add(new Simulator.HookCall(ctx.pathParam("name"), ctx.request().getHeader("Idempotency-Key"),
          ctx.body() == null ? "" : ctx.body().asString(), clock.instant()));
      send(ctx, 200, Map.of("received", true));
    });
    r.get("/sim/api/hooks").handler(ctx -> send(ctx, 200, List.copyOf(hookCalls)));
  }

  record SeedMembers(List<Rosters.Member> members) {}

  record Join(String memberId, String name, String via) {}

  record Ask(String customerId, String name, String note, String channel) {}

  /** Customers joining and leaving groups and asking to be friends; the record of all of it. */
  private void mountRosters(Router r) {
    r.post("/sim/api/groups/:id/members").handler(ctx -> guarded(ctx, () -> {
      SeedMembers body = readBody(ctx, new TypeReference<>() {});
      rosters.seed(ctx.pathParam("id"), body.members() == null ? List.of() : body.members());
      send(ctx, 201, Map.of("members", rosters.membersOf(ctx.pathParam("id")).size()));
    }));
    r.get("/sim/api/groups/:id/members").handler(ctx -> guarded(ctx, () -> send(ctx, 200, rosters.membersOf(ctx.pathParam("id")))));
    r.post("/sim/api/groups/:id/joins").handler(ctx -> guarded(ctx, () -> {
      Join body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 201, rosters.join(ctx.pathParam("id"), body.memberId(), body.name(), body.via()));
    }));
    r.delete("/sim/api/groups/:id/members/:memberId").handler(ctx -> guarded(ctx,
        () -> send(ctx, 200, rosters.leave(ctx.pathParam("id"), ctx.pathParam("memberId")))));
    r.post("/sim/api/accounts/:accountId/friend-requests").handler(ctx -> guarded(ctx, () -> {
      Ask body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 201, rosters.requestFriend(ctx.pathParam("accountId"), body.customerId(), body.name(), body.note(), body.channel()));
    }));
    r.get("/sim/api/friend-requests").handler(ctx -> send(ctx, 200, rosters.requestsTo(ctx.queryParams().get("account"))));
    r.get("/sim/api/removals").handler(ctx -> send(ctx, 200, rosters.removals()));
    r.get("/sim/api/member-changes").handler(ctx -> send(ctx, 200, rosters.changes()));
    r.get("/sim/api/system-lines").handler(ctx -> send(ctx, 200, world.systemLines()));
    r.get("/sim/api/invitations").handler(ctx -> send(ctx, 200, rosters.invitations()));
    r.post("/sim/api/invitations/:messageId/accept").handler(ctx -> guarded(ctx,
        () -> send(ctx, 200, rosters.acceptInvitation(Long.parseLong(ctx.pathParam("messageId"))))));
    // Customers accept invitation cards by themselves this long after they arrive (negative: never).
    r.put("/sim/api/invitation-acceptance").handler(ctx -> guarded(ctx, () -> {
      Map<String, Long> body = readBody(ctx, new TypeReference<>() {});
      long after = body.getOrDefault("afterMillis", -1L);
      acceptInvitationsAfter.accept(after);
      send(ctx, 200, Map.of("afterMillis", after));
    }));
  }

  /** Faults and the platform's strictness, per account. */
  private void mountFaults(Router r) {
    r.put("/sim/api/accounts/:accountId/send-delay").handler(ctx -> guarded(ctx, () -> {
      Map<String, Long> body = readBody(ctx, new TypeReference<>() {});
      String account = world.account(ctx.pathParam("accountId")).id();
      faults.setExtraSendDelay(account, body.getOrDefault("millis", 0L));
      send(ctx, 200, Map.of("accountId", account, "millis", body.getOrDefault("millis", 0L)));
    }));
    r.put("/sim/api/accounts/:accountId/client-down").handler(ctx -> guarded(ctx, () -> {
      Map<String, Boolean> body = readBody(ctx, new TypeReference<>() {});
      String account = world.account(ctx.pathParam("accountId")).id();
      faults.setClientDown(account, Boolean.TRUE.equals(body.get("down")));
      send(ctx, 200, Map.of("accountId", account, "down", faults.clientDown(account)));
    }));
    r.put("/sim/api/refused-words").handler(ctx -> guarded(ctx, () -> {
      Map<String, java.util.List<String>> body = readBody(ctx, new TypeReference<>() {});
      faults.setRefusedWords(body.getOrDefault("words", java.util.List.of()));
      send(ctx, 200, Map.of("words", new java.util.TreeSet<>(faults.refusedWords())));
    }));
    r.put("/sim/api/accounts/:accountId/risk-model").handler(ctx -> guarded(ctx, () -> {
      Map<String, Long> body = readBody(ctx, new TypeReference<>() {});
      String account = world.account(ctx.pathParam("accountId")).id();
      RiskModel m = new RiskModel(
          body.getOrDefault("maxSendsPerWindow", 100L).intValue(),
          java.time.Duration.ofSeconds(body.getOrDefault("windowSeconds", 60L)),
          body.getOrDefault("maxPostsPerGroupPerDay", 3L).intValue(),
          java.time.Duration.ofSeconds(body.getOrDefault("warningMemorySeconds", 600L)));
      risk.setModel(account, m);
      send(ctx, 200, m);
    }));
    r.post("/sim/api/accounts/:accountId/restrict").handler(ctx -> guarded(ctx, () -> {
      String account = world.account(ctx.pathParam("accountId")).id();
      risk.restrict(account, clock.instant());
      send(ctx, 200, Map.of("accountId", account, "restricted", true));
    }));
    r.post("/sim/api/accounts/:accountId/risk-reset").handler(ctx -> guarded(ctx, () -> {
      risk.reset(world.account(ctx.pathParam("accountId")).id());
      send(ctx, 200, Map.of("reset", true));
    }));
    r.get("/sim/api/risk-events").handler(ctx -> send(ctx, 200, risk.events()));
  }
}
