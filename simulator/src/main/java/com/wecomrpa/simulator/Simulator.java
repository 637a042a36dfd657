package com.wecomrpa.simulator;

import com.wecomrpa.protocol.ContentKind;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.simulator.ChatWorld.Account;
import com.wecomrpa.simulator.ChatWorld.Group;
import com.wecomrpa.simulator.ChatWorld.WorldException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WeCom-like mobile web client for many accounts, on its own port. The pages under {@code /login}
 * and {@code /app} are what a UI driver sees; {@code /client/*} is what those pages call; {@code
 * /sim/api/*} is the operator's side: seed accounts and groups, read what really arrived.
 */
public final class Simulator {
  private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
  private static final String SESSION_COOKIE = "sim_account";

  private final Vertx vertx;
  private final SimulatorOptions options;
  private final ChatWorld world;
  private final ObjectMapper json = WireCodec.mapper();
  private final Map<String, Long> extraSendDelayMillis = new ConcurrentHashMap<>();
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> asked = new ConcurrentHashMap<>();
  private final java.util.Set<String> losingSends = ConcurrentHashMap.newKeySet();
  private final java.util.Set<String> clientsDown = ConcurrentHashMap.newKeySet();
  private final RiskGuard risk;
  private volatile Chatter chatter;
  private long chatterTimer = -1;
  private HttpServer server;

  private final Clock clock;

  public Simulator(Vertx vertx, SimulatorOptions options, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.options = options;
    this.world = new ChatWorld(clock);
    // Days for the per-group rule are counted in China time, where the accounts live.
    this.risk = new RiskGuard(options.riskModel(), java.time.ZoneId.of("Asia/Shanghai"));
  }

  /** Sets the risk model one account is judged by. */
  public void setRiskModel(String accountId, RiskModel model) {
    risk.setModel(accountId, model);
  }

  /** Every warning and restriction the simulated platform issued. */
  /** One call the systems around received, with the key that makes it idempotent. */
  public record HookCall(String name, String idempotencyKey, String body, java.time.Instant at) {}

  private final List<HookCall> hookCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Every call to /sim/hooks/NAME, in arrival order: the receiver's own record. */
  public List<HookCall> hookCalls() {
    return List.copyOf(hookCalls);
  }

  public List<RiskEvent> riskEvents() {
    return risk.events();
  }

  public ChatWorld world() {
    return world;
  }

  public Future<Simulator> start() {
    return vertx
        .createHttpServer()
        .requestHandler(router())
        .listen(options.port(), options.host())
        .map(
            s -> {
              server = s;
              LOG.info("simulator listening on http://{}:{}/login", options.host(), s.actualPort());
              return this;
            });
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://" + options.host() + ":" + port();
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /**
   * Network fault: this account's sends never reach the server (the client waits forever), as when
   * a phone loses its connection just as send is pressed.
   */
  public void setLosingSends(String accountId, boolean losing) {
    if (losing) {
      losingSends.add(accountId);
    } else {
      losingSends.remove(accountId);
    }
  }

  /**
   * Makes one account's client stop working, as an app stuck on a dead connection does: its
   * screens stay up but every request it makes fails (the chat never loads, nothing sends).
   */
  public void setClientDown(String accountId, boolean down) {
    if (down) {
      clientsDown.add(accountId);
    } else {
      clientsDown.remove(accountId);
    }
  }

  /**
   * Sends of one account the server has been asked for and not yet recorded (they are on the
   * simulated network): what a test waits on to act in the middle of a send.
   */
  public int sendsInFlight(String accountId) {
    var n = inFlight.get(accountId);
    return n == null ? 0 : n.get();
  }

  /** Send requests of one account the server has been asked for (lost, refused or delivered). */
  public int sendsAsked(String accountId) {
    var n = asked.get(accountId);
    return n == null ? 0 : n.get();
  }

  /** Slows every send of one account, e.g. so a test can stop an agent in the middle of one. */
  public void setExtraSendDelay(String accountId, long millis) {
    extraSendDelayMillis.put(accountId, millis);
  }

  private Router router() {
    Router r = Router.router(vertx);
    r.route().handler(BodyHandler.create().setBodyLimit(1 << 20));
    r.get("/").handler(ctx -> ctx.redirect("/login"));
    r.get("/login").handler(this::loginPage);
    r.post("/login").handler(this::loginSubmit);
    r.get("/app").handler(this::appPage);
    r.route("/static/*").handler(StaticHandler.create("sim-web").setCachingEnabled(false));

    r.get("/client/me").handler(ctx -> withAccount(ctx, a -> send(ctx, 200, a)));
    r.get("/client/conversations").handler(this::conversations);
    r.get("/client/conversations/:id/messages")
        .handler(ctx -> withAccount(ctx, a -> send(ctx, 200, world.openedBy(a.id(), ctx.pathParam("id")))));
    r.post("/client/conversations/:id/messages").handler(this::clientSend);
    r.get("/client/moments").handler(ctx -> withAccount(ctx, a -> send(ctx, 200, world.momentsOf(a.id()))));
    r.post("/client/moments").handler(this::clientPostMoment);

    r.post("/sim/api/accounts").handler(this::seedAccounts);
    r.post("/sim/api/groups").handler(this::seedGroups);
    r.post("/sim/api/contacts").handler(this::seedContacts);
    r.get("/sim/api/groups/:id/messages")
        .handler(ctx -> guarded(ctx, () -> send(ctx, 200, world.messagesOf(ctx.pathParam("id")))));
    r.get("/sim/api/contacts/:id/messages")
        .handler(ctx -> guarded(ctx, () -> send(ctx, 200, world.messagesOf(ctx.pathParam("id")))));
    r.get("/sim/api/messages").handler(ctx -> send(ctx, 200, world.allMessages()));
    r.get("/sim/api/conversations/:id/log").handler(ctx -> guarded(ctx, () -> send(ctx, 200, world.chatLog(ctx.pathParam("id")))));
    // Customers talking: one message written by a customer, or a stream of them on a schedule.
    r.post("/sim/api/conversations/:id/customer-messages").handler(ctx -> guarded(ctx, () -> {
      ClientMessage body = readBody(ctx, new TypeReference<>() {});
      Map<String, String> payload = body.payload() == null ? Map.of() : body.payload();
      send(ctx, 201, world.customerWrites(ctx.pathParam("id"), payload.get("senderId"), payload.get("senderName"),
          body.kind() == null ? "text" : body.kind(), body.text(), payload));
    }));
    // A person on the device answers by hand: the product did not send it, the chat shows it.
    r.post("/sim/api/conversations/:id/person-messages").handler(ctx -> guarded(ctx, () -> {
      ClientMessage body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 201, world.personOnDeviceWrites(ctx.pathParam("id"), body.text()));
    }));
    r.post("/sim/api/chatter").handler(ctx -> guarded(ctx, () -> {
      Chatter.Schedule body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 201, startChatter(body));
    }));
    r.get("/sim/api/chatter").handler(ctx -> send(ctx, 200, Map.of("written", world.customerMessageCount(), "running", chatterRunning())));
    r.get("/sim/api/customer-messages").handler(ctx -> send(ctx, 200, world.customerMessages()));
    r.get("/sim/api/message-counts").handler(ctx -> send(ctx, 200, world.messageCounts()));
    r.get("/sim/api/moments").handler(ctx -> send(ctx, 200, world.momentsOf(ctx.queryParams().get("account"))));
    r.put("/sim/api/accounts/:accountId/send-delay").handler(this::putSendDelay);
    r.put("/sim/api/conversations/:id/name").handler(ctx -> guarded(ctx, () -> {
      Map<String, String> body = readBody(ctx, new TypeReference<>() {});
      send(ctx, 200, world.rename(ctx.pathParam("id"), body.get("name")));
    }));
    r.put("/sim/api/accounts/:accountId/client-down").handler(ctx -> guarded(ctx, () -> {
      Map<String, Boolean> body = readBody(ctx, new TypeReference<>() {});
      String account = world.account(ctx.pathParam("accountId")).id();
      setClientDown(account, Boolean.TRUE.equals(body.get("down")));
      send(ctx, 200, Map.of("accountId", account, "down", clientsDown.contains(account)));
    }));
    r.put("/sim/api/accounts/:accountId/risk-model").handler(this::putRiskModel);
    r.post("/sim/api/accounts/:accountId/risk-reset").handler(ctx -> guarded(ctx, () -> {
      risk.reset(world.account(ctx.pathParam("accountId")).id());
      send(ctx, 200, Map.of("reset", true));
    }));
    r.get("/sim/api/risk-events").handler(ctx -> send(ctx, 200, risk.events()));
    // The systems around (SMS gateway, call centre, CRM) as one receiver that keeps every call it got.
    r.post("/sim/hooks/:name").handler(ctx -> {
      hookCalls.add(new HookCall(ctx.pathParam("name"), ctx.request().getHeader("Idempotency-Key"),
          ctx.body() == null ? "" : ctx.body().asString(), clock.instant()));
      send(ctx, 200, Map.of("received", true));
    });
    r.get("/sim/api/hooks").handler(ctx -> send(ctx, 200, hookCalls()));
    return r;
  }

  /** Starts customers talking (replacing a schedule still running); they write as the clock moves. */
  public synchronized Map<String, Object> startChatter(Chatter.Schedule schedule) {
    Chatter next = new Chatter(world, schedule);
    if (chatterTimer >= 0) {
      vertx.cancelTimer(chatterTimer);
    }
    chatter = next;
    next.tick();
    chatterTimer = vertx.setPeriodic(100, id -> {
      if (next.tick()) {
        vertx.cancelTimer(id);
      }
    });
    return next.status();
  }

  /** Whether customers are still writing on a schedule. */
  public boolean chatterRunning() {
    Chatter c = chatter;
    return c != null && !c.done();
  }

  private void loginPage(RoutingContext ctx) {
    String account = ctx.request().getParam("account");
    if (account != null && world.hasAccount(account)) {
      logIn(ctx, account);
      return;
    }
    ctx.response().putHeader("content-type", "text/html; charset=utf-8").sendFile("sim-web/login.html");
  }

  private void loginSubmit(RoutingContext ctx) {
    String account = ctx.request().getFormAttribute("account");
    if (account == null || !world.hasAccount(account.trim())) {
      ctx.redirect("/login?error=unknown-account");
      return;
    }
    logIn(ctx, account.trim());
  }

  private void logIn(RoutingContext ctx, String account) {
    ctx.response().addCookie(Cookie.cookie(SESSION_COOKIE, account).setPath("/").setHttpOnly(true));
    ctx.redirect("/app");
  }

  private void appPage(RoutingContext ctx) {
    if (sessionAccount(ctx) == null) {
      ctx.redirect("/login");
      return;
    }
    ctx.response().putHeader("content-type", "text/html; charset=utf-8").sendFile("sim-web/app.html");
  }

  private void conversations(RoutingContext ctx) {
    withAccount(
        ctx,
        a ->
            send(
                ctx,
                200,
                world.conversationsOf(a.id()).stream()
                    .map(
                        c -> {
                          ChatWorld.ChatMessage last = world.lastMessageOf(c.id());
                          return Map.of(
                              "id", c.id(),
                              "name", c.name(),
                              "type", c.type(),
                              "preview", last == null ? "" : preview(last),
                              "unread", world.unread(c.id()));
                        })
                    .toList()));
  }

  private static String preview(ChatWorld.ChatMessage m) {
    return switch (ContentKind.of(m.kind()).orElse(ContentKind.LINK)) {
      case TEXT -> m.text();
      case IMAGE -> "[图片]";
      case FILE -> "[文件] " + m.text();
      case MINIPROGRAM -> "[小程序] " + m.text();
      case LINK -> "[链接] " + m.text();
    };
  }

  private void clientSend(RoutingContext ctx) {
    withAccount(
        ctx,
        a -> {
          ClientMessage body = readBody(ctx, new TypeReference<>() {});
          String kind = body.kind() == null ? ContentKind.TEXT.wireName() : body.kind();
          if (body.text() == null || body.text().isBlank()) {
            throw new WorldException(400, "text is required");
          }
          Map<String, String> payload = body.payload() == null ? Map.of() : body.payload();
          String conversation = ctx.pathParam("id");
          asked.computeIfAbsent(a.id(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
          if (losingSends.contains(a.id())) {
            return;
          }
          if (!judged(ctx, a.id(), groupPostsToday(a.id(), conversation))) {
            return;
          }
          // The message reaches the server only after the latency, like a real network round trip:
          // a client that dies before then has sent nothing.
          inFlight.computeIfAbsent(a.id(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
          vertx.setTimer(
              latencyOf(a.id()),
              t -> {
                try {
                  guarded(ctx, () -> send(ctx, 201, world.receive(a.id(), conversation, kind, body.text(), payload)));
                } finally {
                  inFlight.get(a.id()).decrementAndGet();
                }
              });
        });
  }

  private void clientPostMoment(RoutingContext ctx) {
    withAccount(
        ctx,
        a -> {
          ClientMessage body = readBody(ctx, new TypeReference<>() {});
          if (body.text() == null || body.text().isBlank()) {
            throw new WorldException(400, "text is required");
          }
          Map<String, String> payload = body.payload() == null ? Map.of() : body.payload();
          if (!judged(ctx, a.id(), null)) {
            return;
          }
          vertx.setTimer(latencyOf(a.id()), t -> guarded(ctx, () -> send(ctx, 201, world.postMoment(a.id(), body.text(), payload))));
        });
  }

  /** Posts this account made to a group today (null for private chats), as the platform counts. */
  private Integer groupPostsToday(String accountId, String conversation) {
    if (world.conversationsOf(accountId).stream().noneMatch(c -> c.id().equals(conversation) && c.type().equals("group"))) {
      return null;
    }
    java.time.LocalDate today = risk.day(world.clock().instant());
    return (int) world.messagesOf(conversation).stream().filter(m -> risk.day(m.receivedAt()).equals(today)).count();
  }

  /** Applies the risk model; answers the refusal itself (429 warning, 403 restricted) if any. */
  private boolean judged(RoutingContext ctx, String accountId, Integer groupPosts) {
    RiskGuard.Verdict v = risk.judge(accountId, groupPosts, world.clock().instant());
    if (v == RiskGuard.Verdict.WARNED) {
      LOG.info("account {} warned: too frequent", accountId);
      send(ctx, 429, Map.of("error", "操作过于频繁，请稍后再试", "risk", "too-frequent"));
      return false;
    }
    if (v == RiskGuard.Verdict.RESTRICTED) {
      LOG.info("account {} restricted", accountId);
      send(ctx, 403, Map.of("error", "账号已被限制使用", "risk", "restricted"));
      return false;
    }
    return true;
  }

  private void putRiskModel(RoutingContext ctx) {
    guarded(
        ctx,
        () -> {
          Map<String, Long> body = readBody(ctx, new TypeReference<>() {});
          String account = world.account(ctx.pathParam("accountId")).id();
          RiskModel m = new RiskModel(
              body.getOrDefault("maxSendsPerWindow", 100L).intValue(),
              java.time.Duration.ofSeconds(body.getOrDefault("windowSeconds", 60L)),
              body.getOrDefault("maxPostsPerGroupPerDay", 3L).intValue(),
              java.time.Duration.ofSeconds(body.getOrDefault("warningMemorySeconds", 600L)));
          risk.setModel(account, m);
          send(ctx, 200, m);
        });
  }

  private long latencyOf(String accountId) {
    return Math.max(1, options.sendLatency().toMillis() + extraSendDelayMillis.getOrDefault(accountId, 0L));
  }

  record ClientMessage(String kind, String text, Map<String, String> payload) {}

  private void seedAccounts(RoutingContext ctx) {
    guarded(
        ctx,
        () -> {
          SeedAccounts body = readBody(ctx, new TypeReference<>() {});
          world.addAccounts(body.accounts() == null ? List.of() : body.accounts());
          send(ctx, 201, Map.of("created", body.accounts() == null ? 0 : body.accounts().size()));
        });
  }

  private void seedGroups(RoutingContext ctx) {
    guarded(
        ctx,
        () -> {
          SeedGroups body = readBody(ctx, new TypeReference<>() {});
          world.addGroups(body.groups() == null ? List.of() : body.groups());
          send(ctx, 201, Map.of("created", body.groups() == null ? 0 : body.groups().size()));
        });
  }

  private void putSendDelay(RoutingContext ctx) {
    guarded(
        ctx,
        () -> {
          Map<String, Long> body = readBody(ctx, new TypeReference<>() {});
          String account = world.account(ctx.pathParam("accountId")).id();
          setExtraSendDelay(account, body.getOrDefault("millis", 0L));
          send(ctx, 200, Map.of("accountId", account, "millis", body.getOrDefault("millis", 0L)));
        });
  }

  private void seedContacts(RoutingContext ctx) {
    guarded(
        ctx,
        () -> {
          SeedContacts body = readBody(ctx, new TypeReference<>() {});
          world.addContacts(body.contacts() == null ? List.of() : body.contacts());
          send(ctx, 201, Map.of("created", body.contacts() == null ? 0 : body.contacts().size()));
        });
  }

  record SeedContacts(List<ChatWorld.Contact> contacts) {}

  record SeedAccounts(List<Account> accounts) {}

  record SeedGroups(List<Group> groups) {}

  private String sessionAccount(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(SESSION_COOKIE);
    return c != null && world.hasAccount(c.getValue()) ? c.getValue() : null;
  }

  private void withAccount(RoutingContext ctx, java.util.function.Consumer<Account> action) {
    String id = sessionAccount(ctx);
    if (id == null) {
      send(ctx, 401, Map.of("error", "not logged in"));
      return;
    }
    if (clientsDown.contains(id)) {
      send(ctx, 503, Map.of("error", "网络连接不可用"));
      return;
    }
    guarded(ctx, () -> action.accept(world.account(id)));
  }

  private void guarded(RoutingContext ctx, Runnable action) {
    try {
      action.run();
    } catch (WorldException e) {
      send(ctx, e.status(), Map.of("error", e.getMessage()));
    } catch (IllegalArgumentException e) {
      send(ctx, 400, Map.of("error", e.getMessage()));
    }
  }

  private <T> T readBody(RoutingContext ctx, TypeReference<T> type) {
    try {
      return json.readValue(ctx.body().asString(), type);
    } catch (Exception e) {
      throw new WorldException(400, "malformed JSON body: " + e.getMessage());
    }
  }

  private void send(RoutingContext ctx, int status, Object body) {
    try {
      ctx.response()
          .setStatusCode(status)
          .putHeader("content-type", "application/json; charset=utf-8")
          .end(json.writeValueAsString(body));
    } catch (Exception e) {
      ctx.fail(e);
    }
  }
}
