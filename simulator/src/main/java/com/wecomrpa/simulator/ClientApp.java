package com.wecomrpa.simulator;

import static com.wecomrpa.simulator.Http.guarded;
import static com.wecomrpa.simulator.Http.readBody;
import static com.wecomrpa.simulator.Http.send;

import com.fasterxml.jackson.core.type.TypeReference;
import com.wecomrpa.protocol.ContentKind;
import com.wecomrpa.simulator.ChatWorld.Account;
import com.wecomrpa.simulator.ChatWorld.WorldException;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client app: the pages a UI driver sees ({@code /login}, {@code /app}) and what they call
 * ({@code /client/*}), as the account logged in by cookie. Every send and post is judged by the
 * platform's risk model and reaches the server only after the network's latency.
 */
final class ClientApp {
  private static final Logger LOG = LoggerFactory.getLogger(ClientApp.class);
  private static final String SESSION_COOKIE = "sim_account";

  /** What the client's composer sends. */
  record ClientMessage(String kind, String text, Map<String, String> payload) {}

  private final Vertx vertx;
  private final ChatWorld world;
  private final RiskGuard risk;
  private final Faults faults;
  private final Rosters rosters;
  private final java.util.function.LongConsumer invitationSent;

  /** {@code invitationSent}: told of every invitation card that arrived (the customers' side may accept it). */
  ClientApp(Vertx vertx, ChatWorld world, RiskGuard risk, Faults faults, Rosters rosters, java.util.function.LongConsumer invitationSent) {
    this.invitationSent = invitationSent;
    this.rosters = rosters;
    this.vertx = vertx;
    this.world = world;
    this.risk = risk;
    this.faults = faults;
  }

  void mount(Router r) {
    r.get("/").handler(ctx -> ctx.redirect("/login"));
    r.get("/login").handler(this::loginPage);
    r.post("/login").handler(this::loginSubmit);
    r.get("/app").handler(this::appPage);
    r.route("/static/*").handler(StaticHandler.create("sim-web").setCachingEnabled(false));
    r.get("/client/me").handler(ctx -> withAccount(ctx, a -> send(ctx, 200, a)));
    r.get("/client/conversations").handler(this::conversations);
    r.get("/client/conversations/:id").handler(this::conversation);
    r.get("/client/conversations/:id/messages")
        .handler(ctx -> withAccount(ctx, a -> send(ctx, 200, world.openedBy(a.id(), ctx.pathParam("id")))));
    r.post("/client/conversations/:id/messages").handler(this::clientSend);
    r.get("/client/moments").handler(ctx -> withAccount(ctx, a -> send(ctx, 200, world.momentsOf(a.id()))));
    r.post("/client/moments").handler(this::clientPostMoment);
    // Members and friends: the member list, removing a member, the "new contacts" list and accepting.
    r.get("/client/conversations/:id/members").handler(ctx -> withAccount(ctx, a -> {
      world.messagesSeenBy(a.id(), ctx.pathParam("id"));
      send(ctx, 200, rosters.membersOf(ctx.pathParam("id")));
    }));
    r.post("/client/conversations/:id/removals").handler(ctx -> withAccount(ctx, a -> {
      Map<String, String> body = readBody(ctx, new TypeReference<>() {});
      if (judged(ctx, a.id(), null)) {
        send(ctx, 201, rosters.removeByName(a.id(), ctx.pathParam("id"), body.get("name")));
      }
    }));
    r.get("/client/friend-requests").handler(ctx -> withAccount(ctx, a -> send(ctx, 200, rosters.requestsTo(a.id()))));
    r.post("/client/friend-requests/:id/accept").handler(ctx -> withAccount(ctx, a -> {
      if (judged(ctx, a.id(), null)) {
        send(ctx, 200, rosters.accept(a.id(), Long.parseLong(ctx.pathParam("id"))));
      }
    }));
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
    withAccount(ctx, a -> send(ctx, 200, world.conversationsOf(a.id()).stream()
        .map(c -> {
          ChatWorld.ChatMessage last = world.lastMessageOf(c.id());
          return Map.of("id", c.id(), "name", c.name(), "type", c.type(), "preview", last == null ? "" : preview(last), "unread", world.unread(c.id()));
        })
        .toList()));
  }

  /** One chat as it is now: an open chat shows its current name, not the one the list showed. */
  private void conversation(RoutingContext ctx) {
    withAccount(ctx, a -> {
      var c = world.conversationsOf(a.id()).stream().filter(x -> x.id().equals(ctx.pathParam("id"))).findFirst()
          .orElseThrow(() -> new WorldException(404, "no chat " + ctx.pathParam("id")));
      // A group's title shows how many members it has, as the real client's does.
      send(ctx, 200, c.type().equals("group")
          ? Map.of("id", c.id(), "name", c.name(), "type", c.type(), "members", rosters.membersOf(c.id()).size())
          : Map.of("id", c.id(), "name", c.name(), "type", c.type()));
    });
  }

  private static String preview(ChatWorld.ChatMessage m) {
    if (m.kind().equals(ChatWorld.GROUP_CARD)) {
      return "[群聊邀请] " + m.text();
    }
    if (m.kind().equals(ChatWorld.SYSTEM)) {
      return m.text();
    }
    return switch (ContentKind.of(m.kind()).orElse(ContentKind.LINK)) {
      case TEXT -> m.text();
      case IMAGE -> "[图片]";
      case FILE -> "[文件] " + m.text();
      case MINIPROGRAM -> "[小程序] " + m.text();
      case LINK -> "[链接] " + m.text();
    };
  }

  private void clientSend(RoutingContext ctx) {
    withAccount(ctx, a -> {
      ClientMessage body = readBody(ctx, new TypeReference<>() {});
      String kind = body.kind() == null ? ContentKind.TEXT.wireName() : body.kind();
      if (body.text() == null || body.text().isBlank()) {
        throw new WorldException(400, "text is required");
      }
      Map<String, String> payload = body.payload() == null ? Map.of() : body.payload();
      String conversation = ctx.pathParam("id");
      faults.asked(a.id());
      if (faults.losesSends(a.id())) {
        return;
      }
      if (!judged(ctx, a.id(), groupPostsToday(a.id(), conversation))) {
        return;
      }
      // An invitation card names one of the account's groups: the client only offers those.
      String invitedGroup = kind.equals(ChatWorld.GROUP_CARD) ? world.conversationsOf(a.id()).stream()
          .filter(c -> c.type().equals("group") && c.name().equals(body.text())).map(ChatWorld.Conversation::id).findFirst()
          .orElseThrow(() -> new WorldException(404, "no group named " + body.text())) : null;
      // The message reaches the server only after the latency, like a real network round trip:
      // a client that dies before then has sent nothing.
      faults.sendLeft(a.id());
      vertx.setTimer(faults.latencyOf(a.id()), t -> {
        try {
          guarded(ctx, () -> {
            String refused = faults.refusedWordIn(body.text() + " " + String.join(" ", payload.values()));
            if (refused != null) {
              // The server's content filter: nothing reaches the chat, the client marks the bubble.
              send(ctx, 422, Map.of("error", "消息发送失败：内容含有违规词「" + refused + "」", "refused", refused));
              return;
            }
            ChatWorld.ChatMessage m = world.receive(a.id(), conversation, kind, body.text(), payload);
            if (invitedGroup != null) {
              rosters.invited(m.id(), a.id(), conversation, invitedGroup);
              invitationSent.accept(m.id());
            }
            send(ctx, 201, m);
          });
        } finally {
          faults.sendArrived(a.id());
        }
      });
    });
  }

  private void clientPostMoment(RoutingContext ctx) {
    withAccount(ctx, a -> {
      ClientMessage body = readBody(ctx, new TypeReference<>() {});
      if (body.text() == null || body.text().isBlank()) {
        throw new WorldException(400, "text is required");
      }
      Map<String, String> payload = body.payload() == null ? Map.of() : body.payload();
      if (!judged(ctx, a.id(), null)) {
        return;
      }
      vertx.setTimer(faults.latencyOf(a.id()), t -> guarded(ctx, () -> send(ctx, 201, world.postMoment(a.id(), body.text(), payload))));
    });
  }

  /** A message within this long after someone joined is the group's welcome (入群欢迎语), not one of its posts. */
  static final java.time.Duration WELCOME_WINDOW = java.time.Duration.ofMinutes(15);

  /**
   * Posts this account made to a group today, as the platform counts them against its posts per
   * group and day; null when the message about to go is not one (a private chat, or a welcome: the
   * first message after joins within {@link #WELCOME_WINDOW}, which answers all of them).
   */
  private Integer groupPostsToday(String accountId, String conversation) {
    if (world.conversationsOf(accountId).stream().noneMatch(c -> c.id().equals(conversation) && c.type().equals("group"))) {
      return null;
    }
    java.time.Instant now = world.clock().instant();
    java.time.LocalDate today = risk.day(now);
    int posts = 0;
    java.time.Instant unanswered = null;
    for (ChatWorld.ChatMessage m : world.chatLog(conversation)) {
      if (m.kind().equals(ChatWorld.SYSTEM) && "joined".equals(m.payload().get("event"))) {
        unanswered = unanswered == null ? m.receivedAt() : unanswered;
      } else if (m.mine()) {
        boolean welcome = unanswered != null && !m.receivedAt().isAfter(unanswered.plus(WELCOME_WINDOW));
        unanswered = null;
        if (!welcome && risk.day(m.receivedAt()).equals(today)) {
          posts++;
        }
      }
    }
    return unanswered != null && !now.isAfter(unanswered.plus(WELCOME_WINDOW)) ? null : posts;
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

  private String sessionAccount(RoutingContext ctx) {
    Cookie c = ctx.request().getCookie(SESSION_COOKIE);
    return c != null && world.hasAccount(c.getValue()) ? c.getValue() : null;
  }

  private void withAccount(RoutingContext ctx, Consumer<Account> action) {
    String id = sessionAccount(ctx);
    if (id == null) {
      send(ctx, 401, Map.of("error", "not logged in"));
      return;
    }
    if (faults.clientDown(id)) {
      send(ctx, 503, Map.of("error", "网络连接不可用"));
      return;
    }
    guarded(ctx, () -> action.accept(world.account(id)));
  }
}
