package com.wecomrpa.agent.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.agent.device.DeviceProfile;
import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.driver.UiElement;
import com.wecomrpa.agent.flow.ScriptLibrary;
import com.wecomrpa.agent.journal.JobJournal;
import com.wecomrpa.protocol.AgentHeard;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.ControllerListen;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.script.Locator;
import com.wecomrpa.script.ScriptSetLoader;
import com.wecomrpa.script.Step;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One device's thread against scripted screens (no browser): sessions that die, repairs that take
 * tries, a listen that gives way to a job. The flows are a small script set written here.
 */
class DeviceWorkerTest {
  private static final Map<String, String> SCRIPTS = Map.of(
      "script-set.yaml", "client: test-client\nversion: \"1\"\nsupports: [\"v1\"]\n",
      "locators.yaml", "home:\n  - css: \"#home\"\nsend_button:\n  - css: \"#send\"\nchat_header:\n  - css: \"#chat-header\"\n",
      "flows/login.yaml", "action: login\nparams: [client_url, account_id]\nsteps:\n  - name: open-client\n    open: \"${client_url}\"\n"
          + "  - name: home-shown\n    wait-for: home\n    timeout: 1s\n",
      "flows/health_check.yaml", "action: health_check\nsteps:\n  - name: home-shown\n    wait-for: home\n    timeout: 1s\n",
      "flows/send_group_text.yaml", "action: send_group_text\nparams: [group_name, text]\nsteps:\n  - name: press-send\n    tap: send_button\n"
          + "    commits: true\n    timeout: 1s\n",
      "flows/read_chat.yaml", "action: read_chat\nparams: [chat_name, count]\nsteps:\n  - name: chat-open\n    wait-for: chat_header\n    timeout: 1s\n");
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final List<Screen> screens = new CopyOnWriteArrayList<>();
  private final AtomicInteger launches = new AtomicInteger();
  private final List<Long> launchedAt = new CopyOnWriteArrayList<>();
  /** How many launches fail before one works (a device that cannot be reached). */
  private volatile int failingLaunches;
  private final Sink sink = new Sink();
  private JobJournal journal;
  private DeviceWorker worker;

  /** A client screen: a home page, a send button, a chat header; {@code onLookup} sees every search. */
  static final class Screen implements UiDriver {
    volatile boolean alive = true;
    final List<String> opened = new CopyOnWriteArrayList<>();
    final AtomicInteger sends = new AtomicInteger();
    volatile Consumer<String> onLookup = css -> {};

    @Override
    public void open(String url) {
      opened.add(url);
    }

    @Override
    public Optional<UiElement> findVisible(List<Locator> candidates) {
      if (!alive) {
        throw new IllegalStateException("session gone");
      }
      for (Locator l : candidates) {
        onLookup.accept(l.value());
        if (List.of("#home", "#send", "#chat-header").contains(l.value())) {
          return Optional.of(element(l.value()));
        }
      }
      return Optional.empty();
    }

    private UiElement element(String css) {
      return new UiElement() {
        @Override
        public void tap() {
          if (css.equals("#send")) {
            sends.incrementAndGet();
          }
        }

        @Override
        public void type(String text) {}

        @Override
        public void clear() {}

        @Override
        public String text() {
          return "";
        }

        @Override
        public Map<String, String> read(Map<String, String> specs) {
          return Map.of();
        }

        @Override
        public boolean visible() {
          return true;
        }
      };
    }

    @Override
    public List<UiElement> findAllVisible(List<Locator> candidates) {
      return List.of();
    }

    @Override
    public void back() {}

    @Override
    public void scroll(Step.Direction direction) {}

    /** What a screenshot returns (none unless a test sets one). */
    volatile byte[] picture;

    @Override
    public byte[] screenshot() {
      return picture;
    }

    @Override
    public boolean alive() {
      return alive;
    }

    @Override
    public void close() {
      alive = false;
    }
  }

  static final class Sink implements ReportSink {
    final BlockingQueue<Object> said = new LinkedBlockingQueue<>();

    @Override
    public void started(ControllerJobOffer offer) {}

    @Override
    public void report(AgentJobReport report) {
      said.add(report);
    }

    @Override
    public void heard(AgentHeard heard) {
      said.add(heard);
    }

    @Override
    public void returned(ControllerJobOffer offer) {
      said.add("returned " + offer.jobId());
    }

    @Override
    public void healthy(String deviceId, String detail) {
      said.add("healthy " + deviceId + ": " + detail);
    }

    @Override
    public void unhealthy(String deviceId, String detail) {
      said.add("unhealthy " + deviceId + ": " + detail);
    }

    @Override
    public void screen(com.wecomrpa.protocol.AgentScreen screen) {
      said.add(screen);
    }

    Object next() throws InterruptedException {
      Object o = said.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(o).as("something said within " + WAIT).isNotNull();
      return o;
    }
  }

  @BeforeEach
  void start() throws Exception {
    Path scripts = dir.resolve("scripts");
    for (Map.Entry<String, String> f : SCRIPTS.entrySet()) {
      Files.createDirectories(scripts.resolve(f.getKey()).getParent());
      Files.writeString(scripts.resolve(f.getKey()), f.getValue());
    }
    startWorker(JobJournal.open(dir.resolve("journal"), Clock.systemUTC()));
  }

  private void startWorker(JobJournal journal) throws Exception {
    Path scripts = dir.resolve("scripts");
    ScriptLibrary library = new ScriptLibrary(Map.of("test-client", ScriptSetLoader.load(scripts)), (c, v) -> new java.util.concurrent.CompletableFuture<>(),
        Duration.ofSeconds(1));
    this.journal = journal;
    DeviceProfile device = new DeviceProfile("dev-1", "acc-1", "selenium", "test-client", "v1", "http://127.0.0.1:9/client");
    worker = new DeviceWorker(device, library, d -> {
      launches.incrementAndGet();
      launchedAt.add(System.nanoTime());
      if (failingLaunches > 0) {
        failingLaunches--;
        throw new IllegalStateException("device not reachable");
      }
      Screen s = new Screen();
      screens.add(s);
      return s;
    }, sink, journal, Clock.systemUTC(), new com.wecomrpa.agent.flow.StepTimes(), 100);
  }

  @AfterEach
  void stop() {
    worker.kill();
    journal.close();
  }

  private static ControllerJobOffer offer(String job, long token) {
    return new ControllerJobOffer(job, token, "dev-1", "acc-1", "send_group_text", Map.of("group_name", "门店群 1", "text", "早安"), 1,
        Instant.now().plusSeconds(60), null, null);
  }

  /**
   * The journal on a file system of a set size (256 KiB), filled up as a disk fills: the job is not
   * started and its lease goes back, the device says it cannot work, and once space is back it says
   * it can by itself and the job runs once, its journal readable.
   */
  @Test
  void onAFullDiskNoJobStartsTheLeaseGoesBackAndTheDeviceWorksAgainWhenSpaceIsBack() throws Exception {
    worker.kill();
    journal.close();
    try (FileSystem disk = Jimfs.newFileSystem(Configuration.unix().toBuilder().setMaxSize(256 * 1024).setBlockSize(4096).build())) {
      Path data = disk.getPath("/data");
      startWorker(JobJournal.open(data.resolve("journal"), Clock.systemUTC()));
      worker.open().get(20, TimeUnit.SECONDS);
      Path filler = com.wecomrpa.testing.FullDisk.fill(data.resolve("filler"));

      worker.run(offer("job-1", 1));

      assertThat((String) sink.next()).startsWith("unhealthy dev-1: the agent cannot write its job journal, so it starts no job on this device: ")
          .contains("/data/journal/journal.jsonl");
      assertThat(sink.next()).isEqualTo("returned job-1");
      assertThat(worker.diskFault()).isPresent();
      assertThat(journal.find("job-1")).as("a job the journal could not record").isEmpty();
      // Offered again while the disk is still full: handed back again, still nothing sent.
      worker.run(offer("job-1", 2));
      assertThat((String) sink.next()).startsWith("unhealthy dev-1:");
      assertThat(sink.next()).isEqualTo("returned job-1");
      assertThat(screens.get(0).sends.get()).as("messages sent while the disk was full").isZero();

      Files.delete(filler);
      assertThat(sink.next()).isEqualTo("healthy dev-1: the agent writes its job journal again");
      assertThat(worker.diskFault()).isEmpty();
      worker.run(offer("job-1", 3));
      assertThat(((AgentJobReport) sink.next()).outcome()).isEqualTo(Outcome.SUCCEEDED);
      assertThat(screens.get(0).sends.get()).isEqualTo(1);
      worker.kill();
      journal.close();

      // What a restarted agent reads: every line whole, the job ended under the lease that ran it.
      JobJournal reread = JobJournal.open(data.resolve("journal"), Clock.systemUTC());
      try {
        assertThat(reread.find("job-1")).get().satisfies(e -> {
          assertThat(e.fencingToken()).isEqualTo(3);
          assertThat(e.outcome()).isEqualTo(Outcome.SUCCEEDED);
        });
        assertThat(reread.interrupted()).isEmpty();
      } finally {
        reread.close();
      }
      assertThat(Files.readAllLines(data.resolve("journal/journal.jsonl"))).hasSize(1);
      try (var left = Files.list(data.resolve("journal"))) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactly("journal.jsonl");
      }
    } finally {
      startWorker(JobJournal.open(dir.resolve("journal-after"), Clock.systemUTC()));
    }
  }

  @Test
  void aSessionThatDiedIsOpenedAndLoggedInAgainBeforeTheNextJob() throws Exception {
    worker.open().get(20, TimeUnit.SECONDS);
    worker.run(offer("job-1", 1));
    assertThat(((AgentJobReport) sink.next()).outcome()).isEqualTo(Outcome.SUCCEEDED);

    screens.get(0).alive = false; // the browser crashed between jobs
    worker.run(offer("job-2", 2));
    AgentJobReport second = (AgentJobReport) sink.next();

    assertThat(second.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(launches.get()).as("sessions opened").isEqualTo(2);
    assertThat(screens.get(1).opened).as("the new session logged in").containsExactly("http://127.0.0.1:9/client");
    assertThat(screens.get(1).sends.get()).isEqualTo(1);
  }

  @Test
  void anUnhealthyDeviceIsRepairedWithGrowingWaitsUntilItsHealthCheckPasses() throws Exception {
    worker.open().get(20, TimeUnit.SECONDS);
    failingLaunches = 2;
    int before = launches.get();

    worker.repair("3 jobs failed in a row");

    assertThat(sink.next()).isEqualTo("healthy dev-1: new session, logged in, health check passed");
    assertThat(launches.get() - before).as("tries: two failed, the third worked").isEqualTo(3);
    long firstGap = launchedAt.get(before + 1) - launchedAt.get(before);
    long secondGap = launchedAt.get(before + 2) - launchedAt.get(before + 1);
    assertThat(Duration.ofNanos(firstGap)).as("wait after the first failed try").isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(Duration.ofNanos(secondGap)).as("wait after the second").isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(screens.get(screens.size() - 1).alive()).as("the repaired session is the one in use").isTrue();
  }

  @Test
  void aListenGivesWayToAnOfferBetweenChatsAndTheJobRunsRightAfter() throws Exception {
    worker.open().get(20, TimeUnit.SECONDS);
    Screen screen = screens.get(0);
    AtomicInteger headers = new AtomicInteger();
    screen.onLookup = css -> {
      if (css.equals("#chat-header") && headers.incrementAndGet() == 1) {
        worker.run(offer("job-1", 1)); // the controller offers a job while the device reads its first chat
      }
    };

    worker.listen(new ControllerListen("l-1", "dev-1", "acc-1", false, List.of("群 1", "群 2", "群 3", "群 4"), 10, 20, 60_000));

    AgentHeard heard = (AgentHeard) sink.next();
    assertThat(heard.chats()).as("chats read before the offer came").extracting(AgentHeard.Chat::name).containsExactly("群 1");
    assertThat(heard.error()).isNull();
    AgentJobReport report = (AgentJobReport) sink.next();
    assertThat(report.jobId()).isEqualTo("job-1");
    assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
  }

  @Test
  void aDrainingDeviceAnswersAListenWithoutReadingAndHandsBackAnOffer() throws Exception {
    worker.open().get(20, TimeUnit.SECONDS);
    worker.drain();
    worker.listen(new ControllerListen("l-1", "dev-1", "acc-1", true, List.of(), 10, 20, 60_000));
    AgentHeard heard = (AgentHeard) sink.next();
    assertThat(heard.chats()).isEmpty();
    assertThat(heard.error()).isEqualTo("device draining");
    worker.run(offer("job-1", 1));
    assertThat(sink.next()).isEqualTo("returned job-1");
  }

  @Test
  void aWatchedDeviceShowsItsScreenIdleAndBetweenAJobsStepsAndStopsWhenNobodyAsksAgain() throws Exception {
    worker.open().get(20, TimeUnit.SECONDS);
    screens.get(0).picture = new byte[] {(byte) 0x89, 'P', 'N', 'G'};
    worker.watch(new com.wecomrpa.protocol.ControllerWatch("dev-1", 3_000, 500));
    var idle = (com.wecomrpa.protocol.AgentScreen) sink.next();
    assertThat(idle.jobId()).as("idle").isNull();
    assertThat(java.util.Base64.getDecoder().decode(idle.png())).startsWith((byte) 0x89, (byte) 'P');

    worker.run(offer("job-1", 1));
    List<com.wecomrpa.protocol.AgentScreen> during = new java.util.ArrayList<>();
    Object o;
    while (!((o = sink.next()) instanceof AgentJobReport)) {
      if (o instanceof com.wecomrpa.protocol.AgentScreen s && s.jobId() != null) {
        during.add(s);
      }
    }
    assertThat(during).as("a picture between the job's steps").isNotEmpty();
    assertThat(during.get(0).jobId()).isEqualTo("job-1");
    assertThat(during.get(0).step()).isEqualTo("send_group_text: press-send");

    // Nobody asks again: the pictures stop by themselves once the watch has lapsed.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (sink.said.poll(1_500, TimeUnit.MILLISECONDS) != null) {
      assertThat(System.nanoTime()).as("pictures stopped within 15 s").isLessThan(deadline);
    }
  }
}
