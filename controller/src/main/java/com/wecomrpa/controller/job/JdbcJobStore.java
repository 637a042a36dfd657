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

/**
 * Jobs, their leases and their executions. Every state change is one transaction that checks the
 * state it expects, so a late report, a second controller or an expiry racing a report can never
 * move a job twice.
 */
public final class JdbcJobStore {
  static final String JOB_COLUMNS =
      "id, source_kind, source_id, account_id, group_id, customer_id, action, params, state, reason, attempts, priority,"
          + " not_before, expires_at, lease_token, lease_expires_at, agent_id, device_id, created_at, updated_at, decided_by, wait_until";
  private static final String EXEC_COLUMNS =
      "id, job_id, attempt, lease_token, agent_id, device_id, leased_at, started_at, finished_at,"
          + " outcome, failed_step, error, screenshot, script_version, evidence, note";
  private static final TypeReference<Map<String, String>> PARAMS = new TypeReference<>() {};

  private final Database db;
  private final GroupDailyQuota quota;
  private final JdbcLimitStore limits;
  private final RandomGenerator random;
  private final FencingTokens tokens;
  private final LostLeases lostLeases;
  private final ClaimRules rules;
  private final ObjectMapper json = WireCodec.mapper();

  /**
   * {@code random} draws the jitter of the gap between an account's actions; {@code tokens} are
   * this start's fencing tokens.
   */
  public JdbcJobStore(Database db, GroupDailyQuota quota, JdbcLimitStore limits, RandomGenerator random, FencingTokens tokens) {
    this.db = db;
    this.quota = quota;
    this.limits = limits;
    this.random = random;
    this.tokens = tokens;
    this.lostLeases = new LostLeases(this, quota);
    this.rules = ClaimRules.standard(quota);
  }

  /** Inserts jobs whose id is new; a job already there is left as it is (expansion is idempotent). */
  public List<NewJob> enqueue(Connection c, List<NewJob> jobs, Instant now) throws SQLException {
    List<NewJob> fresh = new ArrayList<>();
    List<Object[]> rows = new ArrayList<>();
    java.util.Set<String> existing = existingIds(c, jobs);
    // A group an operator confirmed gone gets nothing more: its new jobs end at once, saying why.
    java.util.Set<String> gone = new java.util.HashSet<>(Sql.list(c, "SELECT id FROM chat_groups WHERE reachability = 'gone'", rs -> rs.getString(1)));
    for (NewJob j : jobs) {
      if (!existing.contains(j.id())) {
        fresh.add(j);
        boolean toGone = j.groupId() != null && gone.contains(j.groupId());
        rows.add(
            new Object[] {
              j.id(), j.sourceKind(), j.sourceId(), j.accountId(), j.groupId(), j.customerId(), j.action(),
              writeParams(j.params()), (toGone ? JobState.CANCELLED : JobState.QUEUED).name(), toGone ? "group confirmed gone" : null, j.priority(), millis(j.notBefore()), millis(j.expiresAt()),
              j.planDay() == null ? null : Date.valueOf(j.planDay()), now.toEpochMilli(), now.toEpochMilli(),
              j.notBefore() == null ? now.toEpochMilli() : j.notBefore().toEpochMilli()
            });
      }
    }
    Sql.batch(
        c,
        "INSERT INTO jobs (id, source_kind, source_id, account_id, group_id, customer_id, action, params, state, reason, priority,"
            + " not_before, expires_at, plan_day, created_at, updated_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows);
    return fresh;
  }

  /** Which of these jobs are already stored, asked a thousand ids at a time rather than one by one. */
  private static java.util.Set<String> existingIds(Connection c, List<NewJob> jobs) throws SQLException {
    java.util.Set<String> found = new java.util.HashSet<>();
    for (int from = 0; from < jobs.size(); from += 1000) {
      List<NewJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + 1000));
      String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
      found.addAll(Sql.list(c, "SELECT id FROM jobs WHERE id IN (" + marks + ")", rs -> rs.getString(1), chunk.stream().map(NewJob::id).toArray()));
    }
    return found;
  }

  /**
   * Leases the next due job of {@code accountId} to one device. Each candidate passes the claim
   * rules in order (see {@link ClaimRules}); a job a rule skips ends SKIPPED on the way, one a rule
   * holds back says which rule and why. The group's post is reserved in the same transaction as the
   * lease.
   */
  public Optional<ControllerJobOffer> claimNext(
      String agentId, String deviceId, String accountId, Instant now, Instant realNow, Duration leaseFor, int maxAttempts) {
    return db.inTransaction(
        c -> {
          // The account row's lock serialises claims for one account (across controllers too), so
          // its counters are checked and taken as one step.
          Optional<Object[]> account =
              Sql.one(c, "SELECT status, cooling_until, next_action_at, time_zone FROM accounts WHERE id = ? FOR UPDATE",
                  rs -> new Object[] {rs.getString(1), Sql.nullableLong(rs, "cooling_until"), Sql.nullableLong(rs, "next_action_at"), rs.getString(4)},
                  accountId);
          if (account.isEmpty()) {
            return Optional.empty();
          }
          Long coolingUntil = (Long) account.get()[1];
          String status = AccountStatus.liftCoolingIfDue(c, accountId, (String) account.get()[0], coolingUntil, now);
          EffectiveLimits lim = limits.effective(c, accountId, now);
          ZonedDateTime local = now.atZone(ZoneId.of((String) account.get()[3]));
          ClaimContext ctx = new ClaimContext(c, accountId, status, instant(coolingUntil), instant((Long) account.get()[2]), lim, now, local);
          List<String> waiting = new ArrayList<>();
          for (int tries = 0; tries < 200; tries++) {
            Optional<Job> next = nextDue(c, accountId, waiting, now, maxAttempts);
            if (next.isEmpty()) {
              return Optional.empty();
            }
            Job j = next.get();
            if (tries == 0) {
              Verdict forAccount = rules.forAccount(ctx, j);
              if (!forAccount.goes()) {
                noteWait(c, j, forAccount, now);
                return Optional.empty();
              }
            }
            Verdict v = rules.forJob(ctx, j);
            if (v.kind() == Verdict.Kind.SKIP) {
              skip(c, j.id(), v, now);
              continue;
            }
            if (v.kind() == Verdict.Kind.WAIT) {
              noteWait(c, j, v, now);
              waiting.add(j.id());
              continue;
            }
            boolean verify = j.state() == JobState.UNKNOWN;
            List<AccountCounters.Need> needs = verify ? List.of() : AccountCounters.needs(j.action(), lim, local);
            LocalDate day = local.toLocalDate();
            long token = tokens.next();
            Instant expires = realNow.plus(leaseFor);
            int moved =
                Sql.update(
                    c,
                    "UPDATE jobs SET state = 'LEASED', lease_token = ?, lease_expires_at = ?, agent_id = ?, device_id = ?, decided_by = NULL, wait_until = NULL,"
                        + " attempts = attempts + 1, quota_day = COALESCE(?, quota_day), updated_at = ? WHERE id = ? AND state = ? AND lease_token = ?",
                    token, expires.toEpochMilli(), agentId, deviceId, j.groupId() == null || verify ? null : Date.valueOf(day),
                    realNow.toEpochMilli(), j.id(), j.state().name(), j.leaseToken());
            if (moved == 0) {
              // Someone else leased it between our read and write; our quota take rolls back with us.
              throw new ConcurrentClaim(j.id());
            }
            if (!verify) {
              Sql.update(c, "UPDATE jobs SET counters = ? WHERE id = ?", AccountCounters.take(c, accountId, needs), j.id());
            }
            // Human pace: the account's next action no sooner than the gap, give or take the jitter.
            long gap = lim.number(LimitName.MIN_GAP_SECONDS) * 1000L;
            long jitter = lim.number(LimitName.GAP_JITTER_SECONDS) * 1000L;
            long pause = Math.max(0, gap + (jitter == 0 ? 0 : random.nextLong(-jitter, jitter + 1)));
            Sql.update(c, "UPDATE accounts SET next_action_at = ? WHERE id = ?", now.toEpochMilli() + pause, accountId);
            Sql.update(
                c,
                "INSERT INTO executions (job_id, attempt, lease_token, agent_id, device_id, leased_at) VALUES (?, ?, ?, ?, ?, ?)",
                j.id(), j.attempts() + 1, token, agentId, deviceId, realNow.toEpochMilli());
            return Optional.of(
                new ControllerJobOffer(j.id(), token, deviceId, accountId, j.action(), j.params(), j.attempts() + 1, expires,
                    // the message cannot be older than the job's due time
                    verify ? (j.notBefore() != null ? j.notBefore() : j.createdAt()).toEpochMilli() : null, null));
          }
          return Optional.empty();
        });
  }

  /** Says on a queued job which rule holds it back and why; written only when that changes. */
  private static void noteWait(Connection c, Job j, Verdict v, Instant now) throws SQLException {
    if (j.state() != JobState.QUEUED) {
      return; // an UNKNOWN job keeps the reason it may have sent
    }
    String reason = truncate("waits: " + v.rule() + ": " + v.reason(), 1000);
    if (v.rule().equals(j.decidedBy()) && reason.equals(j.reason())) {
      return;
    }
    Sql.update(c, "UPDATE jobs SET reason = ?, decided_by = ?, wait_until = ? WHERE id = ? AND state = 'QUEUED'",
        reason, v.rule(), v.until() == null ? null : v.until().toEpochMilli(), j.id());
  }

  /**
   * The account's next job in claim order (priority, then due time, then arrival), leaving out
   * {@code waiting}. UNKNOWN jobs come back too, as verify-then-send, until their attempts run out;
   * never past their window, when only a person can tell what happened. Each of the two reads walks
   * the claim index and stops at its first row.
   */
  private Optional<Job> nextDue(Connection c, String accountId, List<String> waiting, Instant now, int maxAttempts) throws SQLException {
    // Jobs of a group the client could not find are held there, not tried again one by one.
    StringBuilder skip = new StringBuilder(" AND NOT EXISTS (SELECT 1 FROM chat_groups g WHERE g.id = jobs.group_id AND g.reachability <> 'ok')");
    for (int i = 0; i < waiting.size(); i++) {
      skip.append(" AND id <> ?");
    }
    // The equal columns are named too: that is what lets the planner read the index in order.
    String order = " ORDER BY account_id, state, priority DESC, due_at, seq LIMIT 1";
    List<Object> args = new ArrayList<>(List.of(accountId, now.toEpochMilli()));
    args.addAll(waiting);
    Optional<Job> queued = Sql.one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE account_id = ? AND state = 'QUEUED' AND due_at <= ?" + skip + order,
        this::job, args.toArray());
    args = new ArrayList<>(List.of(accountId, now.toEpochMilli(), maxAttempts, now.toEpochMilli()));
    args.addAll(waiting);
    Optional<Job> unknown = Sql.one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE account_id = ? AND state = 'UNKNOWN' AND due_at <= ? AND attempts < ?"
        + " AND (expires_at IS NULL OR expires_at >= ?)" + skip + order, this::job, args.toArray());
    if (queued.isEmpty() || unknown.isEmpty()) {
      return queued.isPresent() ? queued : unknown;
    }
    java.util.Comparator<Job> claimOrder = java.util.Comparator.comparing((Job j) -> -j.priority())
        .thenComparing(j -> j.notBefore() != null ? j.notBefore() : j.createdAt());
    return Optional.of(claimOrder.compare(unknown.get(), queued.get()) < 0 ? unknown.get() : queued.get());
  }

  private static void skip(Connection c, String jobId, Verdict v, Instant now) throws SQLException {
    Sql.update(c, "UPDATE jobs SET state = 'SKIPPED', reason = ?, decided_by = ?, wait_until = NULL, updated_at = ? WHERE id = ? AND state = 'QUEUED'",
        truncate(v.reason(), 1000), v.rule(), now.toEpochMilli(), jobId);
  }

  /** Queued jobs past their window end SKIPPED {@code expired}, even where no device asks for them. */
  public int expireWindows(Instant now) {
    return db.inTransaction(
        c ->
            Sql.update(
                c,
                "UPDATE jobs SET state = 'SKIPPED', reason = 'expired', updated_at = ? WHERE state = 'QUEUED' AND expires_at IS NOT NULL AND expires_at < ?",
                now.toEpochMilli(),
                now.toEpochMilli()));
  }

  /**
   * The device began: LEASED → RUNNING, if the lease is still this one. A start under a lease this
   * store never granted (lost with a crash) is adopted: the job is running there, whatever the
   * store remembered.
   */
  public boolean markStarted(String jobId, long token, String agentId, String deviceId, Instant now, Instant businessNow, Duration leaseFor) {
    return db.inTransaction(
        c -> {
          int n =
              Sql.update(
                  c,
                  "UPDATE jobs SET state = 'RUNNING', updated_at = ? WHERE id = ? AND lease_token = ? AND state = 'LEASED'",
                  now.toEpochMilli(), jobId, token);
          if (n == 1) {
            Sql.update(c, "UPDATE executions SET started_at = ? WHERE job_id = ? AND lease_token = ?", now.toEpochMilli(), jobId, token);
            return true;
          }
          return lostLeases.adopt(c, jobId, token, agentId, deviceId, JobState.RUNNING, "started", now, businessNow, leaseFor).isPresent();
        });
  }

  /**
   * Settles what a (re)connecting agent holds before its devices get offers: its current leases
   * are renewed, and leases this store has no record of are adopted as RUNNING (their reports
   * follow), so a job the agent may have sent is never granted afresh. Returns the leases that
   * stand: those devices stay busy with them.
   */
  public List<HeldLease> reconcile(String agentId, List<HeldLease> held, Instant now, Instant businessNow, Duration leaseFor) {
    return db.inTransaction(
        c -> {
          List<HeldLease> standing = new ArrayList<>();
          for (HeldLease h : held) {
            Optional<Job> job = Sql.one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE", this::job, h.jobId());
            if (job.isEmpty()) {
              continue;
            }
            Job j = job.get();
            if (j.leaseToken() == h.fencingToken() && (j.state() == JobState.LEASED || j.state() == JobState.RUNNING)) {
              Sql.update(c, "UPDATE jobs SET state = 'RUNNING', lease_expires_at = ?, updated_at = ? WHERE id = ?",
                  now.plus(leaseFor).toEpochMilli(), now.toEpochMilli(), j.id());
              Sql.update(c, "UPDATE executions SET started_at = COALESCE(started_at, ?) WHERE job_id = ? AND lease_token = ?",
                  now.toEpochMilli(), j.id(), h.fencingToken());
              standing.add(h);
            } else if (lostLeases.adopt(c, h.jobId(), h.fencingToken(), agentId, h.deviceId(), JobState.RUNNING,
                "held by the agent on reconnect (" + h.phase().name().toLowerCase() + (h.outcome() == null ? "" : " " + h.outcome()) + ")",
                now, businessNow, leaseFor).isPresent()) {
              standing.add(h);
            }
          }
          return standing;
        });
  }

  /** Extends a live lease; false if the lease is no longer the job's current one. */
  public boolean renew(String jobId, long token, Instant now, Duration leaseFor) {
    return db.inTransaction(
        c ->
            Sql.update(
                    c,
                    "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND lease_token = ? AND state IN ('LEASED', 'RUNNING')",
                    now.plus(leaseFor).toEpochMilli(), jobId, token)
                == 1);
  }

  /**
   * Applies an agent's report under its fencing token. A definite failure gives the quota back and
   * re-queues the job while attempts remain; a success or a may-have-sent keeps the quota used.
   */
  public ReportVerdict applyReport(String agentId, AgentJobReport r, String screenshotPath, Instant now, Instant businessNow, int maxAttempts) {
    return db.inTransaction(
        c -> {
          // Lock the job first: a duplicate of a report being applied right now waits here, then
          // finds that report's id on the execution and is acknowledged without a second change.
          Optional<Job> job = Sql.one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE", this::job, r.jobId());
          if (job.isEmpty()) {
            return ReportVerdict.stale("unknown job " + r.jobId());
          }
          Job j = job.get();
          Optional<String> appliedReport =
              Sql.one(
                  c,
                  "SELECT report_id FROM executions WHERE job_id = ? AND lease_token = ?",
                  rs -> rs.getString(1),
                  r.jobId(),
                  r.fencingToken());
          if (appliedReport.isPresent() && r.reportId().equals(appliedReport.get())) {
            return ReportVerdict.duplicate(j.state());
          }
          if (j.leaseToken() != r.fencingToken()
              || (j.state() != JobState.LEASED && j.state() != JobState.RUNNING)) {
            // A report under a lease this store never granted (lost with a crash): the job may
            // have been sent, so it is verified before anything is sent again.
            Optional<JobState> adopted = r.outcome() != Outcome.FAILED
                ? lostLeases.adopt(c, j.id(), r.fencingToken(), agentId, r.deviceId(), JobState.UNKNOWN,
                    "reported " + r.outcome(), now, businessNow, Duration.ZERO)
                : Optional.empty();
            if (adopted.isPresent()) {
              recordExecution(c, r, screenshotPath, now, j.id());
              return ReportVerdict.applied(JobState.UNKNOWN, j.accountId(), null);
            }
            return ReportVerdict.stale(
                "lease " + r.fencingToken() + " is not current: job is " + j.state() + " under lease " + j.leaseToken());
          }
          JobState next;
          String reason;
          String accountStatus = null;
          boolean targetHeld = false;
          if (r.riskSignal() != null) {
            Duration cooldown = Duration.ofMinutes(limits.effective(c, j.accountId(), businessNow).number(LimitName.COOLDOWN_MINUTES));
            accountStatus = RiskResponse.apply(c, j.accountId(), j.id(), r.riskSignal(), cooldown, businessNow);
          }
          if (r.riskSignal() != null && r.outcome() == Outcome.FAILED) {
            // Nothing went out; the job waits for the account without spending an attempt.
            releaseQuota(c, j.id());
            Sql.update(c, "UPDATE jobs SET attempts = attempts - 1 WHERE id = ?", j.id());
            next = JobState.QUEUED;
            reason = "risk:" + r.riskSignal() + ": account " + accountStatus + "; waits for the account";
          } else if (r.targetMissing() && j.groupId() != null) {
            // The group is not where the controller thinks: hold its jobs, keep the device going.
            releaseQuota(c, j.id());
            Sql.update(c, "UPDATE jobs SET attempts = attempts - 1 WHERE id = ?", j.id());
            next = JobState.QUEUED;
            reason = "held: group " + j.groupId() + " unreachable: " + describe(r);
            targetHeld = true;
          } else if (r.deviceFault()) {
            releaseQuota(c, j.id());
            Sql.update(c, "UPDATE jobs SET attempts = attempts - 1 WHERE id = ?", j.id());
            next = JobState.QUEUED;
            reason = "device fault, attempt not counted: " + describe(r);
          } else switch (r.outcome()) {
            case SUCCEEDED -> {
              next = JobState.SUCCEEDED;
              reason = null;
            }
            case UNKNOWN -> {
              next = JobState.UNKNOWN;
              reason = "may have sent: " + describe(r);
            }
            default -> {
              releaseQuota(c, j.id());
              next = j.attempts() < maxAttempts ? JobState.QUEUED : JobState.FAILED;
              reason = (next == JobState.QUEUED ? "retrying after: " : "") + describe(r);
            }
          }
          Sql.update(
              c,
              "UPDATE jobs SET state = ?, reason = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
              next.name(), truncate(reason, 1000), now.toEpochMilli(), j.id());
          recordExecution(c, r, screenshotPath, now, j.id());
          if (targetHeld) {
            long execution = Sql.count(c, "SELECT id FROM executions WHERE job_id = ? AND lease_token = ?", j.id(), r.fencingToken());
            Reachability.markUnreachable(c, j.groupId(), j.id(), execution, describe(r), now);
            return ReportVerdict.targetHeld(j.accountId(), j.groupId());
          }
          return ReportVerdict.applied(next, j.accountId(), accountStatus);
        });
  }

  private static void recordExecution(Connection c, AgentJobReport r, String screenshotPath, Instant now, String jobId) throws SQLException {
    Sql.update(
        c,
        "UPDATE executions SET outcome = ?, failed_step = ?, error = ?, screenshot = ?, report_id = ?, script_version = ?,"
            + " evidence = ?, started_at = COALESCE(started_at, ?), finished_at = ? WHERE job_id = ? AND lease_token = ?",
        r.outcome().name(), r.failedStep(), truncate(r.error(), 4000), screenshotPath, r.reportId(), r.scriptVersion(), truncate(r.evidence(), 1000),
        millis(r.startedAt()), millis(r.finishedAt() == null ? now : r.finishedAt()), jobId, r.fencingToken());
  }

  /**
   * Ends every lease past its expiry: a job that never started goes back to the queue (and its
   * quota back to the group); one that started may have sent and becomes UNKNOWN.
   */
  public List<ExpiredLease> expireLeases(Instant now) {
    return db.inTransaction(
        c -> {
          List<Job> expired =
              Sql.list(
                  c,
                  "SELECT " + JOB_COLUMNS + " FROM jobs WHERE state IN ('LEASED', 'RUNNING') AND lease_expires_at < ?",
                  this::job,
                  now.toEpochMilli());
          List<ExpiredLease> out = new ArrayList<>();
          for (Job j : expired) {
            out.add(endLease(c, j, now, "lease expired"));
          }
          return out;
        });
  }

  /** Gives back a lease whose offer never reached the device, as if it had expired unstarted. */
  public Optional<ExpiredLease> returnLease(String jobId, long token, Instant now, String why) {
    return db.inTransaction(
        c -> {
          Optional<Job> j =
              Sql.one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ? AND lease_token = ? AND state = 'LEASED'", this::job, jobId, token);
          return j.isEmpty() ? Optional.<ExpiredLease>empty() : Optional.of(endLease(c, j.get(), now, why));
        });
  }

  private ExpiredLease endLease(Connection c, Job j, Instant now, String why) throws SQLException {
    JobState next;
    String reason;
    if (j.state() == JobState.LEASED) {
      releaseQuota(c, j.id());
      next = JobState.QUEUED;
      reason = why + " before the job started; re-queued";
    } else {
      next = JobState.UNKNOWN;
      reason = why + " while running: the message may have been sent";
    }
    Sql.update(
        c,
        "UPDATE jobs SET state = ?, reason = ?, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND lease_token = ?",
        next.name(), reason, now.toEpochMilli(), j.id(), j.leaseToken());
    Sql.update(
        c,
        "UPDATE executions SET outcome = 'LEASE_EXPIRED', error = ?, finished_at = ? WHERE job_id = ? AND lease_token = ? AND outcome IS NULL",
        reason, now.toEpochMilli(), j.id(), j.leaseToken());
    return new ExpiredLease(j.id(), j.leaseToken(), j.deviceId(), next);
  }

  void releaseQuota(Connection c, String jobId) throws SQLException {
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

  public Optional<Job> find(String id) {
    return db.inTransaction(c -> Sql.one(c, "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ?", this::job, id));
  }

  /** Jobs filtered by source, group and state (each may be null), oldest first. */
  public List<Job> list(String sourceId, String groupId, JobState state, int limit) {
    return db.inTransaction(
        c -> {
          StringBuilder sql = new StringBuilder("SELECT " + JOB_COLUMNS + " FROM jobs WHERE 1 = 1");
          List<Object> args = new ArrayList<>();
          if (sourceId != null) {
            sql.append(" AND source_id = ?");
            args.add(sourceId);
          }
          if (groupId != null) {
            sql.append(" AND group_id = ?");
            args.add(groupId);
          }
          if (state != null) {
            sql.append(" AND state = ?");
            args.add(state.name());
          }
          sql.append(" ORDER BY seq LIMIT ").append(limit);
          return Sql.list(c, sql.toString(), this::job, args.toArray());
        });
  }

  /** How many jobs of one source are in each state. */
  public Map<JobState, Integer> countsBySource(String sourceId) {
    return db.inTransaction(
        c -> {
          Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
          for (JobState s : JobState.values()) {
            counts.put(s, 0);
          }
          Sql.list(
                  c,
                  "SELECT state, COUNT(*) FROM jobs WHERE source_id = ? GROUP BY state",
                  rs -> Map.entry(JobState.valueOf(rs.getString(1)), rs.getInt(2)),
                  sourceId)
              .forEach(e -> counts.put(e.getKey(), e.getValue()));
          return counts;
        });
  }

  /** Device time of the successful sends of one source, start to confirmation. */
  public SendTimes sendTimes(String sourceId) {
    List<Long> millis =
        db.inTransaction(
            c ->
                Sql.list(
                    c,
                    "SELECT e.finished_at - e.started_at FROM executions e JOIN jobs j ON j.id = e.job_id"
                        + " WHERE j.source_id = ? AND e.outcome = 'SUCCEEDED' AND e.started_at IS NOT NULL ORDER BY 1",
                    rs -> rs.getLong(1),
                    sourceId));
    return SendTimes.of(millis);
  }

  public List<Execution> executions(String jobId) {
    return db.inTransaction(
        c -> Sql.list(c, "SELECT " + EXEC_COLUMNS + " FROM executions WHERE job_id = ? ORDER BY id", JdbcJobStore::execution, jobId));
  }

  public Optional<String> screenshotPath(long executionId) {
    return db.inTransaction(
        c -> Sql.one(c, "SELECT screenshot FROM executions WHERE id = ? AND screenshot IS NOT NULL", rs -> rs.getString(1), executionId));
  }

  Job job(ResultSet rs) throws SQLException {
    Long expires = Sql.nullableLong(rs, "lease_expires_at");
    return new Job(
        rs.getString("id"),
        rs.getString("source_kind"),
        rs.getString("source_id"),
        rs.getString("account_id"),
        rs.getString("group_id"),
        rs.getString("customer_id"),
        rs.getString("action"),
        readParams(rs.getString("params")),
        JobState.valueOf(rs.getString("state")),
        rs.getString("reason"),
        rs.getInt("attempts"),
        rs.getInt("priority"),
        instant(Sql.nullableLong(rs, "not_before")),
        instant(Sql.nullableLong(rs, "expires_at")),
        rs.getLong("lease_token"),
        expires == null ? null : Instant.ofEpochMilli(expires),
        rs.getString("agent_id"),
        rs.getString("device_id"),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("updated_at")),
        rs.getString("decided_by"),
        instant(Sql.nullableLong(rs, "wait_until")));
  }

  private static Execution execution(ResultSet rs) throws SQLException {
    return new Execution(
        rs.getLong("id"),
        rs.getString("job_id"),
        rs.getInt("attempt"),
        rs.getLong("lease_token"),
        rs.getString("agent_id"),
        rs.getString("device_id"),
        instant(Sql.nullableLong(rs, "leased_at")),
        instant(Sql.nullableLong(rs, "started_at")),
        instant(Sql.nullableLong(rs, "finished_at")),
        rs.getString("outcome"),
        rs.getString("failed_step"),
        rs.getString("error"),
        rs.getString("screenshot") != null,
        rs.getString("script_version"),
        rs.getString("evidence"),
        rs.getString("note"));
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static Long millis(Instant i) {
    return i == null ? null : i.toEpochMilli();
  }

  private static String describe(AgentJobReport r) {
    return (r.failedStep() == null ? "" : "step " + r.failedStep() + ": ") + (r.error() == null ? r.outcome().name() : r.error());
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  private String writeParams(Map<String, String> params) {
    try {
      return json.writeValueAsString(params);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private Map<String, String> readParams(String text) {
    try {
      return json.readValue(text, PARAMS);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable job params: " + text, e);
    }
  }

  /** Two claimers read the same queued job; the loser's transaction rolls back and it tries again. */
  public static final class ConcurrentClaim extends RuntimeException {
    public ConcurrentClaim(String jobId) {
      super("job " + jobId + " was leased concurrently");
    }
  }
}
