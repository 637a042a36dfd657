package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.Fixtures;
import com.wecomrpa.controller.store.TestStores;
import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.job.FencingTokensAccess;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expander alone, on a real store: what one expansion creates, and that a second creates nothing twice. */
class PlanExpanderTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final Instant MIDNIGHT = ZonedDateTime.of(LocalDate.of(2026, 12, 1), LocalTime.MIDNIGHT, SHANGHAI).toInstant();

  @TempDir Path dir;
  Database db;
  JdbcGroupStore groups;
  PlanExpander expander;

  @BeforeEach
  void open() throws Exception {
    db = TestStores.open(dir, 2);
    JdbcLimitStore limits = new JdbcLimitStore(db, new AuditLog(db), 200, 3);
    Jobs jobs = Jobs.open(db, new GroupDailyQuota(3), limits, new SplittableRandom(1), FencingTokensAccess.take(db));
    new JdbcAccountStore(db).create(new Account("acc-1", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), MIDNIGHT));
    groups = new JdbcGroupStore(db, limits);
    groups.createAll(List.of(new ChatGroup("g-1", "一店", "acc-1", List.of("store:1")), new ChatGroup("g-2", "二店", "acc-1", List.of("store:2"))), MIDNIGHT);
    PlanRules rules = new PlanRules(2000);
    JdbcPlanStore plans = new JdbcPlanStore(db, rules, jobs.transitions());
    PlanSpec spec = WireCodec.mapper().readValue(Fixtures.aGroupPlan("news", 0, "09:00", "15:29"), PlanSpec.class);
    plans.create(spec, rules.compile(spec), MIDNIGHT);
    expander = new PlanExpander(db, plans, jobs, limits, Duration.ofHours(24));
  }

  @AfterEach
  void close() {
    db.close();
  }

  long jobCount() {
    return db.inTransaction(c -> Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE source_kind = 'plan'"));
  }

  @Test
  void eachStepForEachGroupOnceAndAGroupAddedLaterGetsItsOwn() {
    assertThat(expander.expand(MIDNIGHT).created()).isEqualTo(4);
    assertThat(expander.expand(MIDNIGHT.plusSeconds(60)).created()).as("a second expansion creates nothing twice").isZero();
    assertThat(jobCount()).isEqualTo(4);

    groups.createAll(List.of(new ChatGroup("g-3", "三店", "acc-1", List.of("store:3"))), MIDNIGHT);
    assertThat(expander.expand(MIDNIGHT.plusSeconds(120)).created()).isEqualTo(2);
    assertThat(jobCount()).isEqualTo(6);
    List<String> targets = db.inTransaction(c -> Sql.list(c, "SELECT group_id FROM jobs WHERE source_kind = 'plan' ORDER BY group_id", rs -> rs.getString(1)));
    assertThat(targets).containsExactly("g-1", "g-1", "g-2", "g-2", "g-3", "g-3");
  }

  @Test
  void nothingPastTheHorizonIsCreated() {
    // At 23:00 the 24 h horizon reaches tomorrow's 09:00 and 15:29, and today's are still ahead or past.
    expander.expand(MIDNIGHT);
    assertThat(expander.expand(MIDNIGHT.plus(Duration.ofHours(10))).created()).as("tomorrow's 09:00 is inside the horizon from 10:00").isEqualTo(2);
    assertThat(jobCount()).isEqualTo(6);
  }
}
