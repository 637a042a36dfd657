package com.wecomrpa.controller.admission;

import com.wecomrpa.controller.store.TestStores;
import static org.assertj.core.api.Assertions.assertThat;

import com.wecomrpa.controller.limits.EffectiveLimits;
import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.ActionName;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each claim rule alone, on a fixed time and hand-made limits: what it says about one job, and why. */
class ClaimRulesTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final ZonedDateTime NOON = ZonedDateTime.of(LocalDate.of(2026, 12, 1), LocalTime.NOON, SHANGHAI);

  @TempDir Path dir;

  static EffectiveLimits limits(String activeHours, int postsPerGroup, int postsPerDay) {
    Map<String, EffectiveLimits.Value> v = new HashMap<>();
    v.put(LimitName.ACTIVE_HOURS.key(), new EffectiveLimits.Value(activeHours, "test"));
    v.put(LimitName.POSTS_PER_GROUP_PER_DAY.key(), new EffectiveLimits.Value(String.valueOf(postsPerGroup), "test"));
    v.put(LimitName.POSTS_PER_ACCOUNT_PER_DAY.key(), new EffectiveLimits.Value(String.valueOf(postsPerDay), "test"));
    v.put(LimitName.POSTS_PER_ACCOUNT_PER_HOUR.key(), new EffectiveLimits.Value("100", "test"));
    return new EffectiveLimits("acc-1", v);
  }

  static ClaimContext ctx(java.sql.Connection c, String status, Instant coolingUntil, Instant nextAction, EffectiveLimits lim, ZonedDateTime local) {
    return new ClaimContext(c, "acc-1", status, coolingUntil, nextAction, lim, local.toInstant(), local);
  }

  /** A queued job ({@code verifying} false) or one whose last attempt may have sent. */
  static Candidate job(boolean verifying, Instant expiresAt) {
    return new Candidate("acc-1", "g-1", ActionName.SEND_GROUP_TEXT, verifying, expiresAt, true);
  }

  @Test
  void anAccountThatIsNotActiveWaitsAndSaysWhyAndUntilWhen() {
    Instant until = NOON.toInstant().plusSeconds(1800);
    AccountStatusRule rule = new AccountStatusRule();
    assertThat(rule.decide(ctx(null, "active", null, null, limits("00:00-24:00", 3, 50), NOON), job(false, null)).goes()).isTrue();
    Verdict cooling = rule.decide(ctx(null, "cooling", until, null, limits("00:00-24:00", 3, 50), NOON), job(false, null));
    assertThat(cooling.kind()).isEqualTo(Verdict.Kind.WAIT);
    assertThat(cooling.until()).isEqualTo(until);
    assertThat(cooling.reason()).contains("cooling");
    Verdict paused = rule.decide(ctx(null, "paused", null, null, limits("00:00-24:00", 3, 50), NOON), job(false, null));
    assertThat(paused.kind()).isEqualTo(Verdict.Kind.WAIT);
    assertThat(paused.reason()).contains("paused");
  }

  @Test
  void outsideActiveHoursTheAccountWaitsUntilTheyStartInItsOwnZone() {
    ActiveHoursRule rule = new ActiveHoursRule();
    assertThat(rule.decide(ctx(null, "active", null, null, limits("08:00-22:00", 3, 50), NOON), job(false, null)).goes()).isTrue();
    ZonedDateTime late = NOON.withHour(23);
    Verdict v = rule.decide(ctx(null, "active", null, null, limits("08:00-22:00", 3, 50), late), job(false, null));
    assertThat(v.kind()).isEqualTo(Verdict.Kind.WAIT);
    assertThat(v.until()).isEqualTo(NOON.plusDays(1).withHour(8).toInstant());
  }

  @Test
  void theAccountWaitsForItsGapBetweenActions() {
    PaceRule rule = new PaceRule();
    Instant next = NOON.toInstant().plusSeconds(20);
    Verdict v = rule.decide(ctx(null, "active", null, next, limits("00:00-24:00", 3, 50), NOON), job(false, null));
    assertThat(v.kind()).isEqualTo(Verdict.Kind.WAIT);
    assertThat(v.until()).isEqualTo(next);
    assertThat(rule.decide(ctx(null, "active", null, NOON.toInstant(), limits("00:00-24:00", 3, 50), NOON), job(false, null)).goes()).isTrue();
  }

  @Test
  void aJobPastItsWindowIsSkippedButOneThatMayHaveSentIsStillVerified() {
    WindowRule rule = new WindowRule();
    Instant closed = NOON.toInstant().minusSeconds(60);
    Verdict v = rule.decide(ctx(null, "active", null, null, limits("00:00-24:00", 3, 50), NOON), job(false, closed));
    assertThat(v.kind()).isEqualTo(Verdict.Kind.SKIP);
    assertThat(v.reason()).isEqualTo("expired");
    assertThat(rule.decide(ctx(null, "active", null, null, limits("00:00-24:00", 3, 50), NOON), job(true, closed)).goes()).isTrue();
  }

  @Test
  void aSpentAccountBudgetMakesTheJobWaitAndTheGroupsFullDaySkipsItNamingWhatHoldsIt() {
    try (Database db = TestStores.open(dir, 2)) {
      db.inTransaction(c -> {
        ClaimContext ctx = ctx(c, "active", null, null, limits("00:00-24:00", 2, 1), NOON);
        // One post a day for the account, already used.
        Sql.update(c, "INSERT INTO usage_counters (account_id, counter, period, used) VALUES ('acc-1', 'posts/day', '2026-12-01', 1)");
        Verdict budget = new AccountBudgetRule().decide(ctx, job(false, null));
        assertThat(budget.kind()).isEqualTo(Verdict.Kind.WAIT);
        assertThat(budget.reason()).contains("posts/day");

        // Two posts a day for the group: the first two go (and reserve), the third is skipped.
        GroupDailyCapRule cap = new GroupDailyCapRule(new GroupDailyQuota(3));
        assertThat(cap.decide(ctx, job(false, null)).goes()).isTrue();
        assertThat(cap.decide(ctx, job(false, null)).goes()).isTrue();
        Sql.update(c, "INSERT INTO accounts (id, platform, display_name, time_zone, status, group_count, created_at) VALUES ('acc-1', 'wecom', 'Bot', 'Asia/Shanghai', 'active', 0, 0)");
        Sql.update(c, "INSERT INTO chat_groups (id, name, account_id, created_at) VALUES ('g-1', 'G', 'acc-1', 0)");
        Sql.update(c, "INSERT INTO jobs (id, source_kind, source_id, account_id, group_id, action, params, state, quota_day, created_at, updated_at, due_at)"
            + " VALUES ('broadcast:morning:g-1', 'broadcast', 'morning', 'acc-1', 'g-1', 'send_group_text', '{}', 'SUCCEEDED', ?, 0, 0, 0)",
            Date.valueOf(NOON.toLocalDate()));
        Verdict third = cap.decide(ctx, job(false, null));
        assertThat(third.kind()).isEqualTo(Verdict.Kind.SKIP);
        assertThat(third.reason()).isEqualTo("quota:group-daily; 2 posts on 2026-12-01 won by morning");
        assertThat(cap.decide(ctx, job(true, null)).goes()).as("a job that may have sent holds its post already").isTrue();
        return null;
      });
    }
  }

  @Test
  void theRulesApplyInTheirDocumentedOrder() {
    assertThat(ClaimRules.standard(new GroupDailyQuota(3), null).names())
        .containsExactly("account-status", "active-hours", "pace", "window", "account-budget", "step-conditions", "customer-cadence", "group-daily-cap");
  }
}
