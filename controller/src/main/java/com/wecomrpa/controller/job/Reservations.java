package com.wecomrpa.controller.job;

import com.wecomrpa.controller.cadence.CustomerCadence;
import com.wecomrpa.controller.limits.AccountCounters;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.Date;
import java.sql.SQLException;
import java.util.Optional;

/** What a lease holds besides the job: the group's post for its day, the account's counters and the customer's cadence slot. */
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
    CustomerCadence.release(c, jobId);
    Sql.update(c, "UPDATE jobs SET quota_day = NULL, counters = NULL WHERE id = ?", jobId);
  }

}
