package com.wecomrpa.simulator;


import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WeCom-like mobile web client for many accounts, on its own port: the client app a UI driver
 * drives ({@link ClientApp}), the operator's side and the systems' receiver ({@link ControlApi}),
 * the network's and client's faults ({@link Faults}), the platform's risk model ({@link RiskGuard}).
 * The world it keeps ({@link ChatWorld}) is the record of what really arrived.
 */
public final class Simulator {
  private static final Logger LOG = LoggerFactory.getLogger(Simulator.class);
  private static final String SESSION_COOKIE = "sim_account";

  private final Vertx vertx;
  private final SimulatorOptions options;
  private final ChatWorld world;
  private final Faults faults;
  private final RiskGuard risk;
  private final Rosters rosters;
  private volatile Chatter chatter;
  private long chatterTimer = -1;
  private HttpServer server;

  private final Clock clock;

  public Simulator(Vertx vertx, SimulatorOptions options, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.options = options;
    this.world = new ChatWorld(clock);
    this.faults = new Faults(options.sendLatency());
    // A WeCom customer group holds 200 members.
    this.rosters = new Rosters(world, 200);
    // Days for the per-group rule are counted in China time, where the accounts live.
    this.risk = new RiskGuard(options.riskModel(), java.time.ZoneId.of("Asia/Shanghai"));
  }

  /** Sets the risk model one account is judged by. */
  public void setRiskModel(String accountId, RiskModel model) {
    risk.setModel(accountId, model);
  }

  /** One call the systems around received, with the key that makes it idempotent. */
  public record HookCall(String name, String idempotencyKey, String body, java.time.Instant at) {}

  private final List<HookCall> hookCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Every call to /sim/hooks/NAME, in arrival order: the receiver's own record. */
  public List<HookCall> hookCalls() {
    return List.copyOf(hookCalls);
  }

  /** Every warning and restriction the simulated platform issued. */
  public List<RiskEvent> riskEvents() {
    return risk.events();
  }

  public ChatWorld world() {
    return world;
  }

  /** Group members and friend requests, and the record of every join, leave and removal. */
  public Rosters rosters() {
    return rosters;
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
    faults.setLosingSends(accountId, losing);
  }

  /**
   * Makes one account's client stop working, as an app stuck on a dead connection does: its
   * screens stay up but every request it makes fails (the chat never loads, nothing sends).
   */
  public void setClientDown(String accountId, boolean down) {
    faults.setClientDown(accountId, down);
  }

  /**
   * The platform's content filter: a chat message (its text or any of its fields) containing one of these
   * words is refused after its round trip; the client marks it failed and nothing reaches the chat.
   * An empty list lifts the filter.
   */
  public void setRefusedWords(java.util.Collection<String> words) {
    faults.setRefusedWords(words);
  }

  /**
   * Sends of one account the server has been asked for and not yet recorded (they are on the
   * simulated network): what a test waits on to act in the middle of a send.
   */
  public int sendsInFlight(String accountId) {
    return faults.sendsInFlight(accountId);
  }

  /** Send requests of one account the server has been asked for (lost, refused or delivered). */
  public int sendsAsked(String accountId) {
    return faults.sendsAsked(accountId);
  }

  /** Slows every send of one account, e.g. so a test can stop an agent in the middle of one. */
  public void setExtraSendDelay(String accountId, long millis) {
    faults.setExtraSendDelay(accountId, millis);
  }

  private Router router() {
    Router r = Router.router(vertx);
    // No file uploads (false): none is taken, and none leaves a file-uploads folder where it runs.
    r.route().handler(BodyHandler.create(false).setBodyLimit(1 << 20));
    new ClientApp(vertx, world, risk, faults, rosters, this::invitationArrived).mount(r);
    new ControlApi(world, rosters, this::acceptInvitationsAfter, risk, faults, this::startChatter, this::chatterRunning, hookCalls, clock).mount(r);
    new Transfers(world, clock).mount(r);
    return r;
  }

  private volatile long acceptInvitationsAfterMillis = -1;

  /**
   * Customers accept every invitation card this long after it arrives (as people tapping it a
   * moment later); negative: they leave cards until told to accept ({@code /sim/api/invitations/ID/accept}).
   */
  public void acceptInvitationsAfter(long millis) {
    acceptInvitationsAfterMillis = millis;
  }

  private void invitationArrived(long messageId) {
    long after = acceptInvitationsAfterMillis;
    if (after >= 0) {
      vertx.setTimer(Math.max(1, after), t -> {
        try {
          rosters.acceptInvitation(messageId);
        } catch (ChatWorld.WorldException alreadyAnswered) {
          // accepted by hand meanwhile
        }
      });
    }
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
}
