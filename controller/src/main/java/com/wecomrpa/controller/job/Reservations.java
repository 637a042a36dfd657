package com.wecomrpa.controller.job;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.account.AccountStatus;
import com.wecomrpa.controller.admission.ClaimContext;
import com.wecomrpa.controller.admission.ClaimRules;
import com.wecomrpa.controller.admission.Verdict;
import com.wecomrpa.controller.limits.AccountCounters;
import com.wecomrpa.controller.limits.EffectiveLimits;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.controller.risk.RiskResponse;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.HeldLease;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.random.RandomGenerator;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a lease holds besides the job: the group's post for its day and the account's counters. */
final class Reservations {
  private final GroupDailyQuota quota;

  Reservations(GroupDailyQuota quota) {
    this.quota = quota;
  }

  /** Gives back what the job's last attempt took (a definite failure, or a lease that never started). */
  void release(Connection c, String jobId) throws SQLException {
    Optional<Object[]> held =
        Sql.one(c, "SELECT group_id, quota_day, account_id, counters FROM jobs WHERE id = ?",
            rs -> new Object[] {rs.getString(1), rs.getDate(2), rs.getString(3), rs.getString(4)}, jobId);
    if (held.isEmpty()) {
      return;
    }
    if (held.get()[0] != null && held.get()[1] != null) {
      quota.release(c, (String) held.get()[0], ((Date) held.get()[1]).toLocalDate());
    }
    AccountCounters.release(c, (String) held.get()[2], (String) held.get()[3]);
    Sql.update(c, "UPDATE jobs SET quota_day = NULL, counters = NULL WHERE id = ?", jobId);
  }

}
