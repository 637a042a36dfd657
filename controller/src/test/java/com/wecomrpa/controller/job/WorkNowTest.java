package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.AccountStatus;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dispatch pass asks once which accounts have work before any device claims: an account it
 * leaves out must be one whose claim would have found nothing, or the farm would wait on a job.
 */
class WorkNowTest {
  @TempDir Path dir;

  @Test
  void onlyAccountsWithAJobDueOrACoolingToLiftAreAskedToClaimAndTheOthersWouldHaveFoundNothing() {
    Instant now = Instant.parse("2026-12-05T02:00:00Z");
    try (StoreFixture store = new StoreFixture(dir)) {
      JdbcAccountStore accounts = new JdbcAccountStore(store.db);
      List<ChatGroup> groups = new ArrayList<>();
      for (String a : List.of("due", "idle", "later", "cooled", "still-cooling", "webhook-only")) {
        accounts.create(new Account(a, "wecom", "Bot " + a, "Asia/Shanghai", "active", 0, List.of(), now));
        groups.add(new ChatGroup("g-" + a, "群 " + a, a, List.of()));
      }
      new JdbcGroupStore(store.db, new JdbcLimitStore(store.db, new AuditLog(store.db), 200, 3)).createAll(groups, now);
      store.db.inTransaction(c -> {
        AccountStatus.cool(c, "cooled", now.minusSeconds(1));
        AccountStatus.cool(c, "still-cooling", now.plusSeconds(600));
        store.jobs.intake().enqueue(c, List.of(
            job("j-due", "due", now.minusSeconds(5), "send_group_text"),
            job("j-later", "later", now.plus(Duration.ofHours(1)), "send_group_text"),
            job("j-hook", "webhook-only", now.minusSeconds(5), "webhook")), now.minusSeconds(10));
        return null;
      });
      List<String> all = List.of("due", "idle", "later", "cooled", "still-cooling", "webhook-only");

      // Read from the jobs' side (few rows due), account by account as when a burst has more due,
      // and account by account as for a pass of a few devices.
      for (int[] way : List.of(new int[] {JobClaims.DUE_ROWS_READ, 0}, new int[] {0, 0}, new int[] {JobClaims.DUE_ROWS_READ, JobClaims.ASKED_ONE_BY_ONE})) {
        String as = "due rows read: " + way[0] + ", asked one by one up to: " + way[1];
        assertThat(store.jobs.claims().withWorkNow(all, now, way[0], way[1])).as(as).containsExactlyInAnyOrder("due", "cooled");
        assertThat(store.jobs.claims().withWorkNow(all, now.plus(Duration.ofHours(2)), way[0], way[1])).as("the later job once due, " + as)
            .containsExactlyInAnyOrder("due", "later", "cooled", "still-cooling");
        assertThat(store.jobs.claims().withWorkNow(List.of("idle", "later"), now.plus(Duration.ofHours(2)), way[0], way[1]))
            .as("only accounts asked about, " + as).containsExactly("later");
      }
      for (String left : List.of("idle", "later", "still-cooling", "webhook-only")) {
        assertThat(store.jobs.claims().claimNext("agent-1", "dev-" + left, left, now, now, Duration.ofSeconds(30), 3))
            .as("a claim for %s, which the pass leaves out", left).isEmpty();
      }
      assertThat(store.jobs.claims().claimNext("agent-1", "dev-due", "due", now, now, Duration.ofSeconds(30), 3)).isPresent();
    }
  }

  private static NewJob job(String id, String account, Instant due, String action) {
    return new NewJob(id, "broadcast", "b-1", account, action.equals("webhook") ? null : "g-" + account, null, action,
        Map.of("group_name", "群 " + account, "text", "hi"), 0, due, null, null);
  }
}
