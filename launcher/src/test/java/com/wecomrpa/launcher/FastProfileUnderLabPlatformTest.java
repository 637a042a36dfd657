package com.wecomrpa.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.limits.LimitProfile;
import com.wecomrpa.platform.LabPlatform;
import com.wecomrpa.protocol.AgentHeard;
import com.wecomrpa.protocol.AgentHello;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerListen;
import com.wecomrpa.protocol.ControllerReportAck;
import com.wecomrpa.protocol.DeviceInfo;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.protocol.WireCodec;
import com.wecomrpa.simulator.RiskEvent;
import com.wecomrpa.testing.Eventually;
import com.wecomrpa.time.ManualClock;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast profile stays under the lab platform on any host. The machine here is made faster than
 * any: a device that sends the moment it is offered a job (straight to the simulator's client API,
 * what the browser's send button calls) and a business clock that moves only 200 ms per dispatch
 * pass, so the controller always finds the device free and waiting. The simulator's own risk
 * model judges every send. Without the profile's pace (unpaced) the same load is warned, which is
 * what shows the test can fail.
 */
class FastProfileUnderLabPlatformTest {
  private static final int GROUPS = 120; // more than the lab platform's minute allows
  private static final Duration STEP = Duration.ofMillis(200);
  private static final Duration RUN = Duration.ofSeconds(100); // longer than the lab's window

  @Test
  void aDeviceAsFastAsTheMachineAllowsMeetsNoWarningOnTheFastProfile(@TempDir Path dir) throws Exception {
    Result r = sendAll(dir, LimitProfile.FAST);
    assertThat(r.warnings()).as("risk events from the lab platform").isEmpty();
    // 100 s at 75 a minute: the ceiling, not the machine, decided how many went out.
    assertThat(r.sent()).isBetween(LabPlatform.FAST_SENDS_PER_MINUTE + 1, GROUPS);
  }

  @Test
  void theSameLoadUnpacedIsWarnedByTheLabPlatform(@TempDir Path dir) throws Exception {
    Result r = sendAll(dir, LimitProfile.UNPACED);
    assertThat(r.warnings()).as("an account sent past " + LabPlatform.SENDS_PER_MINUTE + " a minute").isNotEmpty();
  }

  private record Result(int sent, List<RiskEvent> warnings) {}

  private static Result sendAll(Path dir, LimitProfile profile) throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
    try (TestStack stack = TestStack.start(dir, clock, false, o -> o.withLimitProfile(profile));
        InstantDevice device = new InstantDevice(stack)) {
      String[] names = new String[GROUPS];
      JsonArray ids = new JsonArray();
      for (int i = 0; i < GROUPS; i++) {
        names[i] = "门店群 " + (i + 1);
        ids.add("g-" + (i + 1));
      }
      stack.oneAccountWithGroups(names);
      device.connect();
      TestStack.await(stack.api.broadcastToGroups("fast-" + profile, "早安", ids));
      String broadcast = "/broadcasts/fast-" + profile;
      TestStack.waitUntil("the broadcast expanded", Duration.ofSeconds(30), () -> {
        var p = stack.getObject(broadcast).getJsonObject("progress");
        return p.getInteger("QUEUED") + p.getInteger("LEASED") + p.getInteger("SUCCEEDED") + p.getInteger("FAILED") >= GROUPS;
      });
      Instant end = clock.instant().plus(RUN);
      while (clock.instant().isBefore(end) && device.sent.get() < GROUPS && stack.sim.riskEvents().isEmpty()) {
        clock.advance(STEP);
        // As much as the controller offers at this instant, sent at once: passes until one offers nothing.
        while (true) {
          long passes = stack.dispatchPasses();
          long offers = device.offers.get();
          stack.dispatchNow();
          // Idle on both sides: no answer awaiting its acknowledgement, and no lease whose offer is
          // still on its way (a pass counts once its offer is handed to the link, not received).
          Eventually.until("a dispatch pass after the kick (there were " + passes + ") and the device idle", Duration.ofSeconds(30),
              () -> "passes " + stack.dispatchPasses() + ", unanswered offers " + device.busy.get() + ", leased " + leased(stack) + ", offers "
                  + device.offers.get() + ", sent " + device.sent.get() + ", device errors " + device.errors,
              seen -> stack.dispatchPasses() > passes && device.busy.get() == 0 && !leased(stack));
          if (device.offers.get() == offers) {
            break;
          }
        }
      }
      return new Result(stack.sim.world().messageCounts().values().stream().mapToInt(Integer::intValue).sum(), stack.sim.riskEvents());
    }
  }

  private static boolean leased(TestStack stack) {
    return !stack.getArray("/jobs?state=LEASED").isEmpty() || !stack.getArray("/jobs?state=RUNNING").isEmpty();
  }

  /**
   * One device of acc-1 that sends the moment it is offered a job: the simulator's client API
   * called directly (what the browser's send button calls), then a report at once.
   */
  private static final class InstantDevice implements AutoCloseable {
    final AtomicInteger sent = new AtomicInteger();
    /** Offers received whose answer the controller has not yet acknowledged (jobs and listens). */
    final AtomicInteger busy = new AtomicInteger();
    /** Offers received in all. */
    final AtomicInteger offers = new AtomicInteger();
    /** What went wrong answering an offer: the test's own failure, said in its message. */
    final java.util.Queue<String> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final TestStack stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private WebSocket ws;

    InstantDevice(TestStack stack) {
      this.stack = stack;
    }

    void connect() {
      ws = http.newWebSocketBuilder().buildAsync(URI.create(stack.controllerWs()), new WebSocket.Listener() {
        private final StringBuilder buf = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
          buf.append(data);
          if (last) {
            Message m = WireCodec.decode(buf.toString());
            buf.setLength(0);
            if (m instanceof ControllerJobOffer || m instanceof ControllerListen) {
              busy.incrementAndGet();
              offers.incrementAndGet();
            }
            worker.execute(() -> {
              try {
                on(m);
              } catch (RuntimeException e) {
                errors.add(m.getClass().getSimpleName() + ": " + e);
              }
            });
          }
          w.request(1);
          return null;
        }
      }).join();
      ws.sendText(WireCodec.encode(new AgentHello("instant-1", TestStack.TOKEN, "test",
          List.of(new DeviceInfo("dev-1", "acc-1", "wecom-sim", "sim-1", "none", "wecom-sim@test")), List.of())), true).join();
    }

    private void on(Message m) {
      if (m instanceof ControllerReportAck) {
        busy.decrementAndGet(); // stored: the device is free again on the controller's side
      } else if (m instanceof ControllerListen l) {
        Instant at = Instant.now();
        ws.sendText(WireCodec.encode(new AgentHeard(l.listenId(), l.deviceId(), l.accountId(), at, at, List.of(), null)), true).join();
      } else if (m instanceof ControllerJobOffer o) {
        Outcome outcome = send(o) ? Outcome.SUCCEEDED : Outcome.FAILED;
        Instant at = Instant.now();
        ws.sendText(WireCodec.encode(new AgentJobReport(UUID.randomUUID().toString(), o.jobId(), o.fencingToken(), o.deviceId(), outcome,
            outcome == Outcome.FAILED ? "send" : null, null, null, at, at, "instant@1", outcome == Outcome.FAILED ? "too-frequent" : null, null, null)), true).join();
      }
    }

    private boolean send(ControllerJobOffer o) {
      String group = "g-" + o.params().get("group_name").substring("门店群 ".length());
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.sim.baseUrl() + "/client/conversations/" + group + "/messages"))
            .header("Cookie", "sim_account=acc-1").header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + o.params().get("text") + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 201) {
          sent.incrementAndGet();
          return true;
        }
        return false;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      if (ws != null) {
        ws.abort();
      }
      worker.shutdownNow();
    }
  }
}
