package com.wecomrpa.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.Outcome;
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
}
