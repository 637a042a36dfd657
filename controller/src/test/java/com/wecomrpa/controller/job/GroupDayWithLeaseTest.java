package com.wecomrpa.controller.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.ControllerJobOffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's posts of the day hold at the cap claim after claim, however the claim reserves them:
 * by the rule (the account's first claim on a node, and always on the embedded store) or with the
 * lease, from the count read with the account's lock (PostgreSQL, once the node knows the account's
 * zone). The count is the number of posts leased, never more.
 */
class GroupDayWithLeaseTest {
  private static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");

  @TempDir Path dir;

  @Test
  void aGroupTakesThreePostsADayClaimAfterClaimAndTheFourthAndFifthAreSkippedNamingTheDay() {
    try (StoreFixture store = new StoreFixture(dir)) {
      new JdbcAccountStore(store.db).create(new Account("acc-1", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), NOW));
      new JdbcGroupStore(store.db, new JdbcLimitStore(store.db, new AuditLog(store.db), 200, 3))
          .createAll(List.of(new ChatGroup("g-1", "群 1", "acc-1", List.of()), new ChatGroup("g-2", "群 2", "acc-1", List.of())), NOW);
      List<NewJob> jobs = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        jobs.add(new NewJob("post-" + i, "broadcast", "b-" + i, "acc-1", "g-1", null, "send_group_text",
            Map.of("group_name", "群 1", "text", "hi " + i), 0, NOW.minusSeconds(600 - i), null, null));
      }
      jobs.add(new NewJob("other-group", "broadcast", "b-9", "acc-1", "g-2", null, "send_group_text",
          Map.of("group_name", "群 2", "text", "hi"), 0, NOW.minusSeconds(10), null, null));
      store.db.inTransaction(c -> store.jobs.intake().enqueue(c, jobs, NOW.minusSeconds(900)));

      List<String> leased = new ArrayList<>();
      for (int device = 1; device <= 5; device++) {
        Optional<ControllerJobOffer> offer = store.jobs.claims().claimNext("agent-1", "dev-" + device, "acc-1", NOW, NOW, Duration.ofSeconds(30), 3);
        offer.ifPresent(o -> leased.add(o.jobId()));
        assertThat(usedOfG1(store)).as("after claim %d: the day's count is the posts of g-1 leased", device)
            .isEqualTo(leased.stream().filter(id -> id.startsWith("post-")).count());
      }
      assertThat(leased).as("three posts of g-1 in claim order, then the other group's job").containsExactly("post-1", "post-2", "post-3", "other-group");
      for (String skipped : List.of("post-4", "post-5")) {
        String row = store.db.inTransaction(c -> Sql.one(c, "SELECT state || ' ' || decided_by || ' ' || reason FROM jobs WHERE id = ?", rs -> rs.getString(1), skipped))
            .orElseThrow();
        assertThat(row).as(skipped).isEqualTo("SKIPPED group-daily-cap quota:group-daily; 3 posts on 2026-12-07 won by b-1, b-2, b-3");
      }
      assertThat(usedOfG1(store)).isEqualTo(3);
    }
  }

  private static long usedOfG1(StoreFixture store) {
    return store.db.inTransaction(c -> Sql.count(c, "SELECT used FROM group_day_usage WHERE group_id = 'g-1'"));
  }
}
