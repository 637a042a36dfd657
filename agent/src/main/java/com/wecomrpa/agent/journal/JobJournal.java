package com.wecomrpa.agent.journal;

import com.wecomrpa.agent.disk.AtomicFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.protocol.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs this agent's devices started, on disk: a line is appended and synced before a device
 * takes its first step of a job, and another when the job ends. However the controller forgets or
 * repeats, a job started here is never sent again blindly: a new offer of it is answered from this
 * journal or verified in the chat first. A line torn by a crash is ignored; the file is rewritten
 * at open with the last entry of each job from the last {@link #KEEP} only.
 */
public final class JobJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobJournal.class);
  /** Jobs older than this are forgotten: no job's window, and so no re-offer, lasts that long. */
  public static final Duration KEEP = Duration.ofDays(14);

  /** The last word on one job: under which lease it started, when, and how it ended (null: never ended). */
  public record Entry(String jobId, long fencingToken, String deviceId, Instant startedAt, Outcome outcome, Instant endedAt) {
    public boolean ended() {
      return outcome != null;
    }
  }

  private final Path file;
  private final Clock clock;
  private final ObjectMapper json = WireCodec.mapper();
  private final Map<String, Entry> last = new LinkedHashMap<>();
  private FileChannel out;

  private JobJournal(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  /** Opens (or creates) the journal in {@code dir}, reading what earlier runs wrote. */
  public static JobJournal open(Path dir, Clock clock) {
    JobJournal j = new JobJournal(dir.resolve("journal.jsonl"), clock);
    try {
      Files.createDirectories(dir);
      j.load();
      j.compact();
      j.out = FileChannel.open(j.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the job journal in " + dir + ": " + e.getMessage(), e);
    }
    return j;
  }

  /** What this agent knows of a job, if any of its devices ever started it. */
  public synchronized Optional<Entry> find(String jobId) {
    return Optional.ofNullable(last.get(jobId));
  }

  /** Jobs started and never ended: the agent died in the middle of them. */
  public synchronized List<Entry> interrupted() {
    return last.values().stream().filter(e -> !e.ended()).toList();
  }

  /** The device is about to take the job's first step. Synced to disk before it returns. */
  public synchronized void started(String jobId, long fencingToken, String deviceId) {
    append(new Entry(jobId, fencingToken, deviceId, clock.instant(), null, null));
  }

  /** The job ended under that lease with this outcome. Synced to disk before it returns. */
  public synchronized void ended(String jobId, long fencingToken, String deviceId, Outcome outcome) {
    Entry before = last.get(jobId);
    Instant started = before != null && before.fencingToken() == fencingToken ? before.startedAt() : clock.instant();
    append(new Entry(jobId, fencingToken, deviceId, started, outcome, clock.instant()));
  }

  /**
   * Appends one line, synced. A write a full disk cut short is cut back off, so the next line does
   * not follow a fragment and become unreadable with it; the entry is then not known here either.
   */
  private void append(Entry e) {
    long before = -1;
    try {
      before = out.size();
      ByteBuffer line = ByteBuffer.wrap((json.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8));
      while (line.hasRemaining()) {
        out.write(line);
      }
      out.force(false);
    } catch (IOException ex) {
      if (before >= 0) {
        try {
          out.truncate(before);
        } catch (IOException stillTorn) {
          LOG.warn("job journal {}: a torn line stays until the next start ignores it: {}", file, stillTorn.getMessage());
        }
      }
      throw new UncheckedIOException("cannot write the job journal " + file + ": " + ex.getMessage(), ex);
    }
    last.put(e.jobId(), e);
  }

  /** Empty if the journal's folder takes a write now; otherwise why not (a full disk). */
  public Optional<String> unwritable() {
    return AtomicFile.writable(file.getParent());
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    int torn = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        Entry e = json.readValue(line, Entry.class);
        last.remove(e.jobId());
        last.put(e.jobId(), e);
      } catch (IOException unreadable) {
        torn++;
      }
    }
    if (torn > 0) {
      LOG.warn("job journal {}: {} unreadable line(s) ignored (a write cut short by a crash)", file, torn);
    }
  }

  /** Keeps the last entry of each recent job, written to a new file that replaces the old one atomically. */
  private void compact() throws IOException {
    Instant oldest = clock.instant().minus(KEEP);
    last.values().removeIf(e -> e.startedAt().isBefore(oldest));
    List<String> lines = new ArrayList<>();
    for (Entry e : last.values()) {
      lines.add(json.writeValueAsString(e));
    }
    AtomicFile.write(file, (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public synchronized void close() {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      LOG.warn("closing the job journal: {}", e.getMessage());
    }
  }
}
