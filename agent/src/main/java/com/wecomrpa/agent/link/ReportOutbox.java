package com.wecomrpa.agent.link;

import com.wecomrpa.agent.disk.AtomicFile;
import com.wecomrpa.protocol.Kept;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports (and what listening heard) on disk until the controller acknowledges them: written (and synced) before they are
 * sent, removed on acknowledgement, and found again by an agent restarted after a crash. The
 * controller applies a report at most once, so sending one twice is harmless.
 */
public final class ReportOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(ReportOutbox.class);

  private final Path dir;
  /** Each file is named {@code SEQUENCE-REPORTID.json}: the order reports were kept, across restarts. */
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Path> files = new ConcurrentHashMap<>();

  public ReportOutbox(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
      try (Stream<Path> all = Files.list(dir)) {
        all.filter(p -> p.toString().endsWith(".json")).forEach(p -> sequence.accumulateAndGet(sequenceOf(p), Math::max));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open report outbox " + dir, e);
    }
    pending(); // learns which file holds which report, so keeping one twice writes it once
  }

  /** Keeps a report durably. Blocking; called from the device's thread before it is sent. */
  public <M extends Message & Kept> void put(M report) {
    if (files.containsKey(report.keptId())) {
      return;
    }
    Path target = dir.resolve(String.format("%019d-%s.json", sequence.incrementAndGet(), report.keptId().replaceAll("[^A-Za-z0-9._-]", "_")));
    try {
      AtomicFile.write(target, WireCodec.encode(report).getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep report " + report.keptId(), e);
    }
    files.put(report.keptId(), target);
  }

  /** The controller has it: forget it. */
  public void remove(String reportId) {
    Path f = files.remove(reportId);
    if (f == null) {
      return;
    }
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      LOG.warn("cannot remove acknowledged report {}: {}", reportId, e.getMessage());
    }
  }

  /** Every report still waiting for its acknowledgement, in the order they were kept. */
  public List<Message> pending() {
    List<Message> out = new ArrayList<>();
    try (Stream<Path> all = Files.list(dir)) {
      for (Path f : all.filter(p -> p.toString().endsWith(".json")).sorted(java.util.Comparator.comparingLong(ReportOutbox::sequenceOf)).toList()) {
        try {
          Message m = WireCodec.decode(Files.readString(f, StandardCharsets.UTF_8));
          if (m instanceof Kept k) {
            out.add(m);
            files.put(k.keptId(), f);
          }
        } catch (RuntimeException | IOException unreadable) {
          LOG.warn("outbox file {} is unreadable and is set aside: {}", f, unreadable.getMessage());
          Files.move(f, f.resolveSibling(f.getFileName() + ".bad"), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report outbox " + dir, e);
    }
    return out;
  }

  /** The sequence in a file's name; files of older agents (no sequence) come first. */
  private static long sequenceOf(Path p) {
    String name = p.getFileName().toString();
    int dash = name.indexOf('-');
    try {
      return dash == 19 ? Long.parseLong(name.substring(0, dash)) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
