package com.wecomrpa.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerDeviceHealth;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerLeaseRevoked;
import com.wecomrpa.protocol.ControllerListen;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.ControllerWelcome;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.testing.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link against controllers played on loopback by this test: what the agent says, in what
 * order, to which controller, with nothing but a WebSocket server in the way (no browser).
 */
class ControllerLinkTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final Vertx vertx = Vertx.vertx();
  @TempDir Path dir;
  private ControllerLink link;

  /** A controller that welcomes every agent and records what each connection says. */
  private final class FakeController {
    final BlockingQueue<ServerWebSocket> connections = new LinkedBlockingQueue<>();
    final BlockingQueue<Message> heard = new LinkedBlockingQueue<>();
    final HttpServer server;
    final int port;
    final BlockingQueue<io.vertx.core.MultiMap> upgrades = new LinkedBlockingQueue<>();
    /** Welcomes as a controller of this protocol (null: a release before protocol numbers). */
    volatile Integer protocol;
    /** Connections still to close at once as a controller not ready (its database away) does. */
    final java.util.concurrent.atomic.AtomicInteger notReadyFor = new java.util.concurrent.atomic.AtomicInteger();
    final BlockingQueue<Long> upgradedAtNanos = new LinkedBlockingQueue<>();

    FakeController() throws Exception {
      server = vertx.createHttpServer().webSocketHandler(ws -> {
        upgrades.add(ws.headers());
        upgradedAtNanos.add(System.nanoTime());
        if (notReadyFor.getAndDecrement() > 0) {
          ws.close((short) 1013, "controller not ready");
          return;
        }
        connections.add(ws);
        ws.textMessageHandler(t -> {
          Message m = WireCodec.decode(t);
          heard.add(m);
          if (m instanceof AgentHello h) {
            ws.writeTextMessage(WireCodec.encode(new ControllerWelcome(h.agentId(), 60_000, 30_000, protocol, protocol == null ? null : "0.0." + protocol)));
          }
        });
      }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      port = server.actualPort();
    }

    String url() {
      return "ws://127.0.0.1:" + port + "/agent";
    }

    <T extends Message> T next(Class<T> type) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        Message m = heard.poll(100, TimeUnit.MILLISECONDS);
        if (type.isInstance(m)) {
          return type.cast(m);
        }
      }
      throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT);
    }

    void close() throws Exception {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static final LinkListener DEAF = new LinkListener() {
    @Override
    public void onOffer(ControllerJobOffer offer) {}

    @Override
    public void onRevoked(ControllerLeaseRevoked revoked) {}

    @Override
    public void onDeviceHealth(ControllerDeviceHealth health) {}

    @Override
    public void onListen(ControllerListen listen) {}
  };

  private ControllerLink link(List<String> urls) {
    link = new ControllerLink(vertx, urls, null, "agent-1", () -> new AgentHello("agent-1", "token", "test", List.of(), List.of()), List::of, DEAF,
        new ReportOutbox(dir.resolve("outbox")), new SplittableRandom(3));
    return link;
  }

  @AfterEach
  void stop() throws Exception {
    if (link != null) {
      link.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theAgentSaysItsProtocolAndReleaseAndTalksToAControllerOfThePreviousRelease() throws Exception {
    FakeController controller = new FakeController();
    controller.protocol = null;

    link(List.of(controller.url())).start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);

    io.vertx.core.MultiMap upgrade = controller.upgrades.poll(20, TimeUnit.SECONDS);
    assertThat(upgrade.get(com.wecomrpa.protocol.Release.PROTOCOL_HEADER)).isEqualTo(String.valueOf(com.wecomrpa.protocol.Release.PROTOCOL));
    assertThat(upgrade.get(com.wecomrpa.protocol.Release.RELEASE_HEADER)).isEqualTo(com.wecomrpa.protocol.Release.current().describe());
    controller.close();
  }

  @Test
  void aControllerTooOldIsLeftWithTheReasonNamingWhatToUpgrade() throws Exception {
    FakeController controller = new FakeController();
    controller.protocol = com.wecomrpa.protocol.Release.OLDEST_PROTOCOL - 1;

    var started = link(List.of(controller.url())).start().toCompletionStage().toCompletableFuture();

    assertThat(started).failsWithin(20, TimeUnit.SECONDS).withThrowableThat().withMessageContaining("is too old for this agent")
        .withMessageContaining("upgrade the controller first");
    controller.close();
  }

  @Test
  void aReportNotAcknowledgedBeforeTheConnectionDropsIsSentAgainAfterTheReconnectAndThenForgotten() throws Exception {
    FakeController controller = new FakeController();
    link(List.of(controller.url())).start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    ServerWebSocket first = controller.connections.poll(20, TimeUnit.SECONDS);
    controller.next(AgentHello.class);

    link.report(Reports.aReport("r-1", "job-1"));
    assertThat(controller.next(AgentJobReport.class).reportId()).isEqualTo("r-1");
    first.close(); // dropped before the acknowledgement

    controller.next(AgentHello.class);
    ServerWebSocket second = controller.connections.poll(20, TimeUnit.SECONDS);
    assertThat(controller.next(AgentJobReport.class).reportId()).as("sent again on the new connection").isEqualTo("r-1");
    assertThat(link.unacknowledged().toCompletionStage().toCompletableFuture().get()).isEqualTo(1);

    second.writeTextMessage(WireCodec.encode(new ControllerReportAck("r-1", "job-1", true, null)));
    Eventually.waitUntil("the acknowledged report is forgotten, in memory and on disk", WAIT,
        () -> link.unacknowledged().toCompletionStage().toCompletableFuture().join() == 0 && new ReportOutbox(dir.resolve("outbox")).pending().isEmpty());
    controller.close();
  }

  @Test
  void aReportKeptOnDiskByAnEarlierRunIsSentAfterTheFirstWelcome() throws Exception {
    new ReportOutbox(dir.resolve("outbox")).put(Reports.aReport("r-9", "job-9"));
    FakeController controller = new FakeController();
    link(List.of(controller.url())).start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(controller.next(AgentJobReport.class).reportId()).isEqualTo("r-9");
    controller.close();
  }

  @Test
  void aControllerNotReadyForAWhileIsTriedAgainEverySecondOrSoNotAfterEverLongerWaits() throws Exception {
    FakeController controller = new FakeController();
    controller.notReadyFor.set(7);
    link(List.of(controller.url())).start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    controller.next(AgentHello.class);
    List<Long> at = new java.util.ArrayList<>(controller.upgradedAtNanos);
    assertThat(at).hasSizeGreaterThanOrEqualTo(8);
    // Doubling waits would put 5 s or more between the seventh and eighth attempt; not-ready ones at most 1.5 s.
    assertThat(Duration.ofNanos(at.get(7) - at.get(6))).as("the wait after the seventh not-ready answer").isLessThan(Duration.ofSeconds(4));
    controller.close();
  }

  @Test
  void whenItsControllerGoesAwayTheLinkMovesToTheNextOneWithWhatItKept() throws Exception {
    FakeController a = new FakeController();
    FakeController b = new FakeController();
    link(List.of(a.url(), b.url())).start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    FakeController first = a.connections.isEmpty() ? b : a;
    FakeController other = first == a ? b : a;
    first.next(AgentHello.class);
    link.report(Reports.aReport("r-1", "job-1"));
    first.next(AgentJobReport.class);

    first.close(); // the controller is gone: the link tries the next one

    other.next(AgentHello.class);
    assertThat(other.next(AgentJobReport.class).reportId()).isEqualTo("r-1");
    other.close();
  }

  @Test
  void aReportTheControllerCouldNotStoreIsSentAgainOnTheSameConnectionBackingOffUntilStored() throws Exception {
    FakeController controller = new FakeController();
    link(List.of(controller.url())).start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    ServerWebSocket ws = controller.connections.poll(20, TimeUnit.SECONDS);
    controller.next(AgentHello.class);

    link.report(Reports.aReport("r-1", "job-1"));
    List<Long> sentAt = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      assertThat(controller.next(AgentJobReport.class).reportId()).isEqualTo("r-1");
      sentAt.add(System.nanoTime());
      // The database is away: not stored, try again in 100 ms.
      ws.writeTextMessage(WireCodec.encode(new com.wecomrpa.protocol.ControllerNotStored("r-1", "database away", 100)));
    }
    assertThat(controller.next(AgentJobReport.class).reportId()).as("sent again once more, on the same connection").isEqualTo("r-1");
    sentAt.add(System.nanoTime());
    assertThat(controller.connections).as("no reconnect").isEmpty();
    // The waits double while refusals repeat: 100, 200, 400, 800 ms (give or take the 100 ms check).
    long last = sentAt.get(4) - sentAt.get(3);
    long first = sentAt.get(1) - sentAt.get(0);
    assertThat(last).as("the fourth wait against the first").isGreaterThan(first);
    assertThat(Duration.ofNanos(last)).isGreaterThanOrEqualTo(Duration.ofMillis(700));

    ws.writeTextMessage(WireCodec.encode(new ControllerReportAck("r-1", "job-1", true, null)));
    Eventually.waitUntil("the stored report is forgotten", WAIT, () -> link.unacknowledged().toCompletionStage().toCompletableFuture().join() == 0);
    controller.close();
  }

  @Test
  void aReportLeftUnansweredIsSentAgainOnTheSameConnection() throws Exception {
    FakeController controller = new FakeController();
    link(List.of(controller.url())).start().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    controller.connections.poll(20, TimeUnit.SECONDS);
    controller.next(AgentHello.class);

    link.report(Reports.aReport("r-2", "job-2"));
    long first = System.nanoTime();
    controller.next(AgentJobReport.class);
    // Silence from the controller: the report goes again after about 5 s, without a reconnect.
    assertThat(controller.next(AgentJobReport.class).reportId()).isEqualTo("r-2");
    assertThat(Duration.ofNanos(System.nanoTime() - first)).isGreaterThanOrEqualTo(Duration.ofMillis(KeptMessages.SILENT_FIRST_MS));
    assertThat(controller.connections).as("no reconnect").isEmpty();
    controller.close();
  }
}
