package com.wecomrpa.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.Outcome;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import com.wecomrpa.testing.FullDisk;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportOutboxTest {
  @TempDir Path dir;


  @Test
  void reportsOutliveTheOutboxThatWroteThemUntilAcknowledged() throws Exception {
    ReportOutbox first = new ReportOutbox(dir);
    first.put(Reports.aReport("r-1", "job-1"));
    first.put(Reports.aReport("r-2", "job-2"));
    first.remove("r-1");

    ReportOutbox afterRestart = new ReportOutbox(dir);

    assertThat(afterRestart.pending()).extracting(m -> ((AgentJobReport) m).reportId()).containsExactly("r-2");
    assertThat(((AgentJobReport) afterRestart.pending().get(0)).jobId()).isEqualTo("job-2");
  }

  @Test
  void reportsComeBackInTheOrderTheyWereKeptAcrossRestartsWhateverTheClockSays() {
    ReportOutbox first = new ReportOutbox(dir);
    for (int i = 1; i <= 30; i++) {
      first.put(Reports.aReport("r-" + i, "job-" + i)); // many within one millisecond
    }
    first.put(Reports.aReport("r-5", "job-5")); // kept twice: stored once
    ReportOutbox second = new ReportOutbox(dir);
    second.put(Reports.aReport("r-31", "job-31"));

    List<String> ids = new ReportOutbox(dir).pending().stream().map(m -> ((AgentJobReport) m).reportId()).toList();
    assertThat(ids).hasSize(31).startsWith("r-1", "r-2", "r-3").endsWith("r-29", "r-30", "r-31");
    assertThat(ids).doesNotHaveDuplicates();
  }

  @Test
  void anUnreadableFileIsSetAsideNotFatal() throws Exception {
    ReportOutbox box = new ReportOutbox(dir);
    box.put(Reports.aReport("r-1", "job-1"));
    Files.writeString(dir.resolve("torn.json"), "{\"type\":\"agent.job-rep");

    assertThat(box.pending()).extracting(m -> ((AgentJobReport) m).reportId()).containsExactly("r-1");
    assertThat(dir.resolve("torn.json.bad")).exists();
  }

  /**
   * On a file system of a set size, filled up: keeping a report fails with the disk's error and
   * leaves no half-written file; what was kept before stays readable, and once space is back the
   * next report is kept as any other.
   */
  @Test
  void aFullDiskRefusesToKeepAReportAndLeavesNothingHalfWritten() throws Exception {
    try (FileSystem disk = Jimfs.newFileSystem(Configuration.unix().toBuilder().setMaxSize(128 * 1024).setBlockSize(4096).build())) {
      Path box = disk.getPath("/data/outbox");
      ReportOutbox outbox = new ReportOutbox(box);
      outbox.put(Reports.aReport("r-1", "job-1"));
      Path filler = FullDisk.fill(disk.getPath("/data/filler"));

      assertThatThrownBy(() -> outbox.put(Reports.aReport("r-2", "job-2"))).isInstanceOf(UncheckedIOException.class).hasMessageContaining("r-2");

      try (var files = Files.list(box)) {
        assertThat(files.map(p -> p.getFileName().toString())).singleElement().asString().endsWith("-r-1.json");
      }
      Files.delete(filler);
      outbox.put(Reports.aReport("r-3", "job-3"));
      assertThat(new ReportOutbox(box).pending()).extracting(m -> ((AgentJobReport) m).reportId()).containsExactly("r-1", "r-3");
    }
  }
}
