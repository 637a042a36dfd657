package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.store.TestStores;
import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.job.JobTransitions;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Sql;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ranking alone, on a real store: one group, one day, posts of several kinds and priorities. */
class GroupDayRankingTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final LocalDate DAY = LocalDate.of(2026, 12, 1);
  static final Instant MORNING = ZonedDateTime.of(DAY, LocalTime.of(7, 0), SHANGHAI).toInstant();

  @TempDir Path dir;
  Database db;
  JdbcLimitStore limits;
  GroupDayRanking ranking;

  @BeforeEach
  void open() {
    db = TestStores.open(dir, 2);
    AuditLog audit = new AuditLog(db);
    limits = new JdbcLimitStore(db, audit, 200, 3);
    new JdbcAccountStore(db).create(new Account("acc-1", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), MORNING));
    new JdbcGroupStore(db, limits).createAll(List.of(new ChatGroup("g-1", "门店群", "acc-1", List.of())), MORNING);
    ranking = new GroupDayRanking(limits, new JobTransitions());
  }

  @AfterEach
  void close() {
    db.close();
  }

  void planPost(String plan, int priority, String time) {
    long due = ZonedDateTime.of(DAY, LocalTime.parse(time), SHANGHAI).toInstant().toEpochMilli();
    db.inTransaction(c -> Sql.update(c, "INSERT INTO jobs (id, source_kind, source_id, account_id, group_id, action, params, state, priority, not_before,"
        + " plan_day, created_at, updated_at, due_at) VALUES (?, 'plan', ?, 'acc-1', 'g-1', 'send_group_text', '{}', 'QUEUED', ?, ?, ?, 0, 0, ?)",
        "plan:" + plan + ":" + time, plan, priority, due, Date.valueOf(DAY), due));
  }

  void broadcast(String id, String state) {
    long due = MORNING.toEpochMilli();
    db.inTransaction(c -> {
      boolean holdsTheDay = !state.equals("QUEUED");
      if (holdsTheDay) {
        new GroupDailyQuota(3).reserve(c, "g-1", DAY); // as its claim did
      }
      return Sql.update(c, "INSERT INTO jobs (id, source_kind, source_id, account_id, group_id, action, params, state, quota_day, created_at,"
          + " updated_at, due_at) VALUES (?, 'broadcast', ?, 'acc-1', 'g-1', 'send_group_text', '{}', ?, ?, 0, 0, ?)",
          "broadcast:" + id + ":g-1", id, state, holdsTheDay ? Date.valueOf(DAY) : null, due);
    });
  }

  Map<String, String> states() {
    return db.inTransaction(c -> {
      Map<String, String> out = new java.util.TreeMap<>();
      Sql.list(c, "SELECT id, state, reason FROM jobs WHERE source_kind = 'plan'", rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
          .forEach(r -> out.put(r[0], r[1] + (r[2] == null ? "" : " " + r[2])));
      return out;
    });
  }

  int rank() {
    return db.inTransaction(c -> ranking.rank(c, "g-1", DAY, MORNING));
  }

  @Test
  void theLowestPriorityPostGivesWayAndNamesWhatWon() {
    planPost("low", 1, "09:00");
    planPost("mid", 5, "12:00");
    planPost("high", 10, "15:00");
    planPost("top", 20, "18:00");

    assertThat(rank()).isEqualTo(1);

    assertThat(states()).containsEntry("plan:low:09:00", "SKIPPED quota:group-daily; 3 posts on 2026-12-01 won by top, high, mid")
        .containsEntry("plan:mid:12:00", "QUEUED").containsEntry("plan:high:15:00", "QUEUED").containsEntry("plan:top:18:00", "QUEUED");
  }

  @Test
  void broadcastsThatDayCountWhetherSentOrStillQueued() {
    broadcast("sent-early", "SUCCEEDED");
    broadcast("flash-sale", "QUEUED");
    planPost("low", 1, "09:00");
    planPost("high", 10, "15:00");

    assertThat(rank()).isEqualTo(1);

    assertThat(states()).containsEntry("plan:high:15:00", "QUEUED")
        .containsEntry("plan:low:09:00", "SKIPPED quota:group-daily; 3 posts on 2026-12-01 won by sent-early, flash-sale, high");
  }

  @Test
  void theAccountsEffectiveCapDecidesAndARaisedCapLetsAFuturePostBackIn() {
    limits.put(Caller.CONFIGURED_AGENT, "account", "acc-1", Map.of("postsPerGroupPerDay", "1"), "quiet week", MORNING);
    planPost("low", 1, "09:00");
    planPost("high", 10, "15:00");
    assertThat(rank()).isEqualTo(1);
    assertThat(states()).containsEntry("plan:low:09:00", "SKIPPED quota:group-daily; 1 posts on 2026-12-01 won by high");

    limits.put(Caller.CONFIGURED_AGENT, "account", "acc-1", Map.of("postsPerGroupPerDay", "3"), "back to normal", MORNING);
    assertThat(rank()).isZero();
    assertThat(states()).containsEntry("plan:low:09:00", "QUEUED").containsEntry("plan:high:15:00", "QUEUED");
  }
}
