package com.wecomrpa.agent.link;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.Message;
import com.wecomrpa.protocol.WireCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports on disk until the controller acknowledges them: written (and synced) before they are
 * sent, removed on acknowledgement, and found again by an agent restarted after a crash. The
 * controller applies a report at most once, so sending one twice is harmless.
 */
public final class ReportOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(ReportOutbox.class);

  private final Path dir;

  public ReportOutbox(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create report outbox " + dir, e);
    }
  }

  /** Keeps a report durably. Blocking; called from the device's thread before it is sent. */
  public void put(AgentJobReport report) {
    Path tmp = dir.resolve(report.reportId() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(WireCodec.encode(report).getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep report " + report.reportId(), e);
    }
    try {
      Files.move(tmp, file(report.reportId()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep report " + report.reportId(), e);
    }
  }

  /** The controller has it: forget it. */
  public void remove(String reportId) {
    try {
      Files.deleteIfExists(file(reportId));
    } catch (IOException e) {
      LOG.warn("cannot remove acknowledged report {}: {}", reportId, e.getMessage());
    }
  }

  /** Every report still waiting for its acknowledgement, oldest first. */
  public List<AgentJobReport> pending() {
    List<AgentJobReport> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted(java.util.Comparator.comparing(ReportOutbox::modified)).toList()) {
        try {
          Message m = WireCodec.decode(Files.readString(f, StandardCharsets.UTF_8));
          if (m instanceof AgentJobReport r) {
            out.add(r);
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

  private Path file(String reportId) {
    return dir.resolve(reportId.replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
