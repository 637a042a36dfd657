package com.wecomrpa.controller.job;

import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.Date;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Leases an agent quotes that this store never granted: granted by a controller that then lost
 * the commit (a crash, a power loss). They are evidence that the job may have been sent, so the
 * job is adopted under that lease (RUNNING if the agent is on it, UNKNOWN if it says it ended),
 * with the group's post counted again, and is never offered as a plain send.
 */
final class LostLeases {
  private final GroupDailyQuota quota;

  LostLeases(GroupDailyQuota quota) {
    this.quota = quota;
  }

  /**
   * Adopts {@code token} for the job (read and locked by the caller) if this store has no record of
   * that lease and the job is not running elsewhere or finished. Returns the state the job took, or
   * empty if nothing changed.
   */
  Optional<JobState> adopt(
      Connection c, Job j, long token, String agentId, String deviceId, JobState as, String what,
      Instant now, Instant businessNow, Duration leaseFor) throws SQLException {
    String jobId = j.id();
    boolean known = Sql.count(c, "SELECT COUNT(*) FROM executions WHERE job_id = ? AND lease_token = ?", jobId, token) > 0;
    if (known || !(j.state() == JobState.QUEUED || j.state() == JobState.UNKNOWN)) {
      return Optional.empty();
    }
    boolean holdsQuota = Sql.one(c, "SELECT quota_day FROM jobs WHERE id = ?", rs -> rs.getDate(1), jobId).isPresent();
    Date day = null;
    if (j.groupId() != null && !holdsQuota) {
      // The lost lease had taken the group's post; it may be out, so it counts, even past the cap.
      String zone = Sql.one(c, "SELECT time_zone FROM accounts WHERE id = ?", rs -> rs.getString(1), j.accountId()).orElse("UTC");
      day = Date.valueOf(businessNow.atZone(ZoneId.of(zone)).toLocalDate());
      if (!quota.reserve(c, j.groupId(), day.toLocalDate(), Integer.MAX_VALUE)) {
        throw new IllegalStateException("cannot count post of group " + j.groupId());
      }
    }
    String reason = "lease " + token + " " + what + " was unknown to the controller (lost in a crash): "
        + (as == JobState.RUNNING ? "adopted" : "the message may have been sent; verified before any resend");
    Sql.update(
        c,
        "UPDATE jobs SET state = ?, reason = ?, lease_token = ?, lease_expires_at = ?, agent_id = ?, device_id = ?, attempts = attempts + 1,"
            + " quota_day = COALESCE(?, quota_day), updated_at = ? WHERE id = ?",
        as.name(), reason, token, as == JobState.RUNNING ? now.plus(leaseFor).toEpochMilli() : null,
        agentId, deviceId, day, now.toEpochMilli(), jobId);
    Sql.update(
        c,
        "INSERT INTO executions (job_id, attempt, lease_token, agent_id, device_id, leased_at, started_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        jobId, j.attempts() + 1, token, agentId, deviceId, now.toEpochMilli(), now.toEpochMilli(), reason);
    return Optional.of(as);
  }
}
