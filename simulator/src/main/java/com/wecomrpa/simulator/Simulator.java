package com.wecomrpa.simulator;

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
  private HttpServer server;

  public Simulator(Vertx vertx, SimulatorOptions options, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.world = new ChatWorld(clock);
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
    r.get("/client/groups/:groupId/messages")
        .handler(ctx -> withAccount(ctx, a -> send(ctx, 200, world.messagesSeenBy(a.id(), ctx.pathParam("groupId")))));
    r.post("/client/groups/:groupId/messages").handler(this::clientSend);

    r.post("/sim/api/accounts").handler(this::seedAccounts);
    r.post("/sim/api/groups").handler(this::seedGroups);
    r.get("/sim/api/groups/:groupId/messages")
        .handler(ctx -> guarded(ctx, () -> send(ctx, 200, world.messagesOf(ctx.pathParam("groupId")))));
    r.get("/sim/api/messages").handler(ctx -> send(ctx, 200, world.allMessages()));
    r.get("/sim/api/message-counts").handler(ctx -> send(ctx, 200, world.messageCounts()));
    r.put("/sim/api/accounts/:accountId/send-delay").handler(this::putSendDelay);
    return r;
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
                world.groupsOf(a.id()).stream()
                    .map(
                        g -> {
                          ChatWorld.ChatMessage last = world.lastMessageOf(g.id());
                          return Map.of(
                              "groupId", g.id(),
                              "name", g.name(),
                              "preview", last == null ? "" : last.text());
                        })
                    .toList()));
  }

  private void clientSend(RoutingContext ctx) {
    withAccount(
        ctx,
        a -> {
          Map<String, Object> body = readBody(ctx, new TypeReference<>() {});
          Object text = body.get("text");
          if (!(text instanceof String s) || s.isBlank()) {
            throw new WorldException(400, "text is required");
          }
          String kind = body.get("kind") instanceof String k ? k : "text";
          long delay = options.sendLatency().toMillis() + extraSendDelayMillis.getOrDefault(a.id(), 0L);
          String groupId = ctx.pathParam("groupId");
          // The message reaches the server only after the latency, like a real network round trip:
          // a client that dies before then has sent nothing.
          vertx.setTimer(
              Math.max(1, delay),
              t -> guarded(ctx, () -> send(ctx, 201, world.receive(a.id(), groupId, kind, s))));
        });
  }

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
