package com.wecomrpa.controller.job;

import com.wecomrpa.controller.account.AccountStatus;
import com.wecomrpa.controller.admission.ClaimContext;
import com.wecomrpa.controller.admission.Candidate;
import com.wecomrpa.controller.admission.ClaimRules;
import com.wecomrpa.controller.admission.StepConditionsRule;
import com.wecomrpa.controller.admission.Verdict;
import com.wecomrpa.controller.conditions.StepGuard;
import com.wecomrpa.controller.limits.AccountCounters;
import com.wecomrpa.controller.limits.EffectiveLimits;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.ControllerJobOffer;
import java.sql.Connection;
import java.sql.Date;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.random.RandomGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Leases the next due job of an account to one device: each candidate passes the claim rules
 * ({@link ClaimRules}) in the claim's one transaction, then the lease is written with a fencing
 * token no lease has had.
 */
public final class JobClaims {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobClaims.class);
  private final Database db;
  private final JdbcLimitStore limits;
  private final RandomGenerator random;
  private final FencingTokens tokens;
  private final ClaimRules rules;
  /** Each account's zone at its last claim here: which day's and hour's counters to read with its lock. */
  private final java.util.concurrent.ConcurrentHashMap<String, ZoneId> zones = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code random} draws the jitter of the gap between an account's actions. */
  public JobClaims(Database db, JdbcLimitStore limits, RandomGenerator random, FencingTokens tokens, ClaimRules rules) {
    this.db = db;
    this.limits = limits;
    this.random = random;
    this.tokens = tokens;
    this.rules = rules;
  }

  private volatile java.util.function.Consumer<Duration> dueToLease = d -> {};

  /** Told, for each lease taken, how long after the job became due it was leased (business time). */
  public void onLeased(java.util.function.Consumer<Duration> dueToLease) {
    this.dueToLease = dueToLease;
  }

  /**
   * Leases the next due job of {@code accountId} to one device. Each candidate passes the claim
   * rules in order (see {@link ClaimRules}); a job a rule skips ends SKIPPED on the way, one a rule
   * holds back says which rule and why. The group's post is reserved in the same transaction as the
   * lease.
   */
  public Optional<ControllerJobOffer> claimNext(
      String agentId, String deviceId, String accountId, Instant now, Instant realNow, Duration leaseFor, int maxAttempts) {
    List<Duration> waited = new ArrayList<>(1);
    Ask ask = new Ask(agentId, deviceId, accountId);
    Optional<ControllerJobOffer> offer = db.inTransaction(c -> claimIn(c, ask, reads(ask, now, maxAttempts), null, null, null, now, realNow, leaseFor, maxAttempts, waited).offer());
    waited.forEach(dueToLease);
    return offer;
  }

  /** A device asking for its account's next job. */
  public record Ask(String agentId, String deviceId, String accountId) {}

  /**
   * How many claims a dispatch lane should hold before another lane opens: on PostgreSQL a lane's
   * claims share a transaction ({@link #claimTogether}), and lanes of eight measured about a
   * quarter more jobs a second than one claim a transaction (lanes of four, less); 1 where each
   * claim is alone.
   */
  public int claimsPerTransaction() {
    return db.dialect() == com.wecomrpa.controller.store.Dialect.POSTGRESQL ? 8 : 1;
  }

  /**
   * The claims of {@code asks} (one device each), each as {@link #claimNext} would make it, in one
   * transaction, answered in the order asked (empty where nothing is due); or nothing, and nothing
   * changed, where they are better made one by one. On PostgreSQL a transaction's statements
   * ({@code BEGIN}, {@code COMMIT}) and its WAL flush are then paid once for all. Accounts are
   * locked in id order, so two such batches never wait on each other in a circle. Where every ask
   * is of another account, all claims' reads go in one round trip and all their writes in one more
   * (a claim's rules see only its own account's rows, which no other claim of the batch writes);
   * where two asks share an account, each claim's reads go with the write of the one before it, so
   * the second sees the first's lease. If any claim of
   * the batch fails (a lease taken under it, a lock that timed out), the batch rolls back whole and
   * the answer is nothing: each claim is then made on its own, which is what that failure would
   * have cost it alone. The embedded store, whose commits are not flushed one by one, answers
   * nothing.
   */
  public Optional<List<Optional<ControllerJobOffer>>> claimTogether(List<Ask> asks, Instant now, Instant realNow, Duration leaseFor, int maxAttempts) {
    if (asks.size() < 2 || claimsPerTransaction() < 2) {
      return Optional.empty();
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < asks.size(); i++) {
      order.add(i);
    }
    order.sort(java.util.Comparator.comparing(i -> asks.get(i).accountId()));
    List<Duration> waited = new ArrayList<>();
    boolean apart = asks.stream().map(Ask::accountId).distinct().count() == asks.size();
    List<Optional<ControllerJobOffer>> offers;
    try {
      offers = db.inTransaction(c -> {
        List<Optional<ControllerJobOffer>> out = new ArrayList<>(java.util.Collections.nCopies(asks.size(), Optional.<ControllerJobOffer>empty()));
        if (apart) {
          // Every claim's reads (each account's lock first) in one round trip, in id order.
          List<Reads> reads = new ArrayList<>();
          List<Sql.Read<?>> statements = new ArrayList<>();
          for (int i : order) {
            Reads r = reads(asks.get(i), now, maxAttempts);
            reads.add(r);
            statements.addAll(r.statements());
          }
          List<List<?>> got = Sql.lists(c, statements);
          List<Write> writes = new ArrayList<>();
          int at = 0;
          for (int k = 0; k < order.size(); k++) {
            int n = reads.get(k).statements().size();
            out.set(order.get(k), claimIn(c, asks.get(order.get(k)), reads.get(k), got.subList(at, at + n), null, writes, now, realNow, leaseFor, maxAttempts, waited).offer());
            at += n;
          }
          write(c, writes);
          return out;
        }
        // Each claim's write carries the next claim's reads (its lock among them) in its round trip.
        Reads mine = reads(asks.get(order.get(0)), now, maxAttempts);
        List<List<?>> carried = null;
        for (int k = 0; k < order.size(); k++) {
          Reads next = k + 1 < order.size() ? reads(asks.get(order.get(k + 1)), now, maxAttempts) : null;
          Claimed claimed = claimIn(c, asks.get(order.get(k)), mine, carried, next, null, now, realNow, leaseFor, maxAttempts, waited);
          out.set(order.get(k), claimed.offer());
          mine = next;
          carried = claimed.carried();
        }
        return out;
      });
    } catch (RuntimeException e) {
      LOG.debug("{} claims not made together, each goes alone: {}", asks.size(), e.toString());
      return Optional.empty();
    }
    waited.forEach(dueToLease);
    return Optional.of(offers);
  }

  /**
   * The account row's lock serialises claims for one account (across controllers too), so its
   * counters are checked and taken as one step. On PostgreSQL it is the lock an update of the row
   * takes ({@code FOR NO KEY UPDATE}): claims still exclude each other, and so do a pause or any
   * other change of the account, but a job stored for the account meanwhile (its foreign key's check
   * takes {@code KEY SHARE}) neither waits for the claim's transaction nor holds the claim up.
   */
  static Sql.Read<Object[]> lockRead(String accountId, boolean postgres) {
    return new Sql.Read<>("SELECT status, cooling_until, next_action_at, time_zone FROM accounts WHERE id = ? FOR " + (postgres ? "NO KEY UPDATE" : "UPDATE"),
        rs -> new Object[] {rs.getString(1), Sql.nullableLong(rs, "cooling_until"), Sql.nullableLong(rs, "next_action_at"), rs.getString(4)},
        List.of(accountId));
  }

  /**
   * PostgreSQL: what a claim reads first, sent in one round trip: the account's lock, its limits,
   * its next jobs (with the day's posts of their groups) and this hour's counters. The day and the
   * hour are those of the zone the account had at its last claim here ({@code was}, UTC if none),
   * and what was read for them is used only if it still has it. Null on the embedded store.
   */
  private Reads reads(Ask ask, Instant now, int maxAttempts) {
    if (db.dialect() != com.wecomrpa.controller.store.Dialect.POSTGRESQL) {
      return null;
    }
    String accountId = ask.accountId();
    ZoneId was = zones.get(accountId);
    ZonedDateTime guess = now.atZone(was != null ? was : java.time.ZoneOffset.UTC);
    return new Reads(was, guess, List.of(lockRead(accountId, true), JdbcLimitStore.effectiveRead(accountId),
        headsRead(accountId, List.of(), now, maxAttempts, guess.toLocalDate()), AccountCounters.periodsRead(accountId, guess)));
  }

  private record Reads(ZoneId was, ZonedDateTime guess, List<Sql.Read<?>> statements) {}

  /** A claim's write held back to go with the batch's others: the lease is the statement's own part, its count 1 if taken. */
  private record Write(String jobId, String sql, List<Object> args) {}

  /**
   * The held-back writes of a batch, those of one text as one JDBC batch (one round trip; the
   * batch's writes are usually all of one text). Each touches only its own account's rows and job,
   * so their order does not matter. A lease not taken fails the whole transaction, as one alone would.
   */
  private static void write(Connection c, List<Write> writes) throws SQLException {
    java.util.Map<String, List<Write>> byText = new java.util.LinkedHashMap<>();
    writes.forEach(w -> byText.computeIfAbsent(w.sql(), k -> new ArrayList<>()).add(w));
    for (var e : byText.entrySet()) {
      int[] counts = Sql.batch(c, e.getKey(), e.getValue().stream().map(w -> w.args().toArray()).toList());
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] != 1) {
          throw new ConcurrentClaim(e.getValue().get(i).jobId());
        }
      }
    }
  }

  /** A claim's offer, and the answers to the next claim's reads where its write carried them (else null). */
  private record Claimed(Optional<ControllerJobOffer> offer, List<List<?>> carried) {}

  /**
   * One claim in {@code c}: with {@code mine} (its reads, null on the embedded store), answered
   * already in {@code read} where the claim before carried them (or the batch read them); its write
   * carries {@code following} (the next claim's reads) where there is one, or is added to
   * {@code deferred} where not null, for the caller to run and check.
   */
  private Claimed claimIn(Connection c, Ask ask, Reads mine, List<List<?>> read, Reads following, List<Write> deferred,
      Instant now, Instant realNow, Duration leaseFor, int maxAttempts, List<Duration> waited) throws SQLException {
    boolean postgres = mine != null;
    String agentId = ask.agentId();
    String deviceId = ask.deviceId();
    String accountId = ask.accountId();
    Sql.Read<Object[]> lock = lockRead(accountId, postgres);
    Optional<Object[]> account;
    EffectiveLimits lim = null;
    List<Job> heads = null;
    AccountCounters.Snapshot counters = null;
    ClaimContext.GroupDay groupDay = null;
    ZoneId zone;
    if (postgres) {
      // Each is read after the lock is granted (the server runs them in order), as the reads one by one were.
      ZoneId was = mine.was();
      ZonedDateTime guess = mine.guess();
      List<List<?>> got = read != null ? read : Sql.lists(c, mine.statements());
      account = got.get(0).stream().map(r -> (Object[]) r).findFirst();
      if (account.isEmpty()) {
        return new Claimed(Optional.empty(), null);
      }
      zone = ZoneId.of((String) account.get()[3]);
      zones.put(accountId, zone);
      @SuppressWarnings("unchecked") List<JdbcLimitStore.EffectiveRow> limitRows = (List<JdbcLimitStore.EffectiveRow>) got.get(1);
      lim = limits.effective(accountId, limitRows, now);
      heads = new ArrayList<>();
      for (Object row : got.get(2)) {
        Job head = (Job) ((Object[]) row)[0];
        heads.add(head);
        if (zone.equals(was) && head.state() == JobState.QUEUED && head.groupId() != null) {
          groupDay = new ClaimContext.GroupDay(head.groupId(), guess.toLocalDate(), (Integer) ((Object[]) row)[1]);
        }
      }
      if (zone.equals(was)) {
        counters = AccountCounters.snapshot(guess, got.get(3));
      }
    } else {
      account = Sql.one(c, lock.sql(), lock.row(), accountId);
      if (account.isEmpty()) {
        return new Claimed(Optional.empty(), null);
      }
      zone = ZoneId.of((String) account.get()[3]);
    }
    Long coolingUntil = (Long) account.get()[1];
    String status = AccountStatus.liftCoolingIfDue(c, accountId, (String) account.get()[0], coolingUntil, now);
    if (lim == null) {
      lim = limits.effective(c, accountId, now);
    }
    ZonedDateTime local = now.atZone(zone);
    ClaimContext ctx = new ClaimContext(c, accountId, status, JobRows.instant(coolingUntil), JobRows.instant((Long) account.get()[2]), lim, now, local, counters, groupDay);
    List<String> waiting = new ArrayList<>();
    for (int tries = 0; tries < 200; tries++) {
      Optional<Job> next = tries == 0 && heads != null ? earliest(heads) : nextDue(c, postgres, accountId, waiting, now, maxAttempts);
      if (next.isEmpty()) {
        return new Claimed(Optional.empty(), null);
      }
      Job j = next.get();
      if (tries == 0) {
        Verdict forAccount = rules.forAccount(ctx, candidate(j));
        if (!forAccount.goes()) {
          noteWait(c, j, forAccount);
          return new Claimed(Optional.empty(), null);
        }
      }
      Verdict v = rules.forJob(ctx, candidate(j));
      if (v.kind() == Verdict.Kind.SKIP) {
        skip(c, j.id(), v, now);
        if (StepConditionsRule.NAME.equals(v.rule()) && v.reason().startsWith(StepGuard.EXIT) && "plan".equals(j.sourceKind())) {
          // The plan's exit holds: the customer's other queued steps of it end with the same reason.
          new JobTransitions().endCustomerSequence(c, j.sourceId(), j.customerId(), JobRows.truncate(v.reason(), 1000), now);
        }
        continue;
      }
      if (v.kind() == Verdict.Kind.WAIT) {
        noteWait(c, j, v);
        waiting.add(j.id());
        continue;
      }
      boolean verify = j.state() == JobState.UNKNOWN;
      List<AccountCounters.Need> needs = verify ? List.of() : AccountCounters.needs(j.action(), lim, local);
      LocalDate day = local.toLocalDate();
      long token = tokens.next();
      Instant expires = realNow.plus(leaseFor);
      // Human pace: the account's next action no sooner than the gap, give or take the jitter.
      long gap = lim.number(LimitName.MIN_GAP_SECONDS) * 1000L;
      long jitter = lim.number(LimitName.GAP_JITTER_SECONDS) * 1000L;
      // The profile's floor holds whatever the limits say (fast: under the lab platform's rate).
      long pause = Math.max(limits.paceFloor().toMillis(), gap + (jitter == 0 ? 0 : random.nextLong(-jitter, jitter + 1)));
      // The lease records which counters it took (a verify takes none and keeps what the send took).
      String lease = "UPDATE jobs SET state = 'LEASED', lease_token = ?, lease_expires_at = ?, agent_id = ?, device_id = ?, decided_by = NULL, wait_until = NULL,"
          + " wait_note = NULL, attempts = attempts + 1, quota_day = COALESCE(?, quota_day), counters = COALESCE(?, counters), updated_at = ?"
          + " WHERE id = ? AND state = ? AND lease_token = ?";
      Object[] leaseArgs = {token, expires.toEpochMilli(), agentId, deviceId,
          !GroupDailyQuota.countsAsPost(j.groupId(), j.action(), j.sourceKind()) || verify ? null : Date.valueOf(day),
          verify ? null : AccountCounters.keys(needs), realNow.toEpochMilli(), j.id(), j.state().name(), j.leaseToken()};
      String pace = "UPDATE accounts SET next_action_at = ? WHERE id = ?";
      Object[] paceArgs = {now.toEpochMilli() + pause, accountId};
      String run = "INSERT INTO executions (job_id, attempt, lease_token, agent_id, device_id, leased_at) VALUES (?, ?, ?, ?, ?, ?)";
      Object[] runArgs = {j.id(), j.attempts() + 1, token, agentId, deviceId, realNow.toEpochMilli()};
      long moved;
      List<List<?>> carried = null;
      if (postgres) {
        // One round trip writes the counters, the lease, the pace and the execution row: the
        // parts of one statement run together, and a lease someone else took rolls all back.
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("WITH ");
        boolean reserving = ctx.reservesWithLease(candidate(j));
        if (reserving) {
          // The group's post, checked by the rule against the count read with the lock: the lease
          // holds only if the reservation does.
          sql.append("reserved AS (").append(GroupDailyQuota.reserveInOneSql(j.groupId(), day, lim.number(LimitName.POSTS_PER_GROUP_PER_DAY), args)).append("), ");
        }
        if (!needs.isEmpty() && !verify) {
          sql.append("counted AS (").append(AccountCounters.takeInOneSql(accountId, needs, args)).append("), ");
        }
        String leaseIf = lease + (reserving ? " AND EXISTS (SELECT 1 FROM reserved)" : "");
        if (deferred != null) {
          // The lease as the statement's own part: its update count says whether it was taken, so
          // the batch's writes can go as one JDBC batch, which answers counts, not rows.
          sql.append("paced AS (").append(pace).append("), ran AS (").append(run).append(") ").append(leaseIf);
          java.util.Collections.addAll(args, paceArgs);
          java.util.Collections.addAll(args, runArgs);
          java.util.Collections.addAll(args, leaseArgs); // holds nulls: not List.of
          deferred.add(new Write(j.id(), sql.toString(), args));
          moved = 1; // the caller checks it, with the batch's others
        } else {
          sql.append("leased AS (").append(leaseIf).append(" RETURNING 1), paced AS (")
              .append(pace).append("), ran AS (").append(run).append(") SELECT COUNT(*) FROM leased");
          java.util.Collections.addAll(args, leaseArgs); // holds nulls: not List.of
          java.util.Collections.addAll(args, paceArgs);
          java.util.Collections.addAll(args, runArgs);
          List<Sql.Read<?>> statements = new ArrayList<>();
          statements.add(new Sql.Read<>(sql.toString(), rs -> rs.getLong(1), args));
          if (following != null) {
            statements.addAll(following.statements());
          }
          List<List<?>> answers = Sql.lists(c, statements);
          moved = (Long) answers.get(0).get(0);
          carried = following != null ? answers.subList(1, answers.size()) : null;
        }
      } else {
        if (!verify) {
          AccountCounters.take(c, accountId, needs);
        }
        moved = Sql.update(c, lease, leaseArgs);
        if (moved == 1) {
          Sql.update(c, pace, paceArgs);
          Sql.update(c, run, runArgs);
        }
      }
      if (moved == 0) {
        // Someone else leased it between our read and write (or took the group's day the count read
        // with the lock left); our quota and counter takes roll back with us.
        throw new ConcurrentClaim(j.id());
      }
      Instant due = j.notBefore() != null && j.notBefore().isAfter(j.createdAt()) ? j.notBefore() : j.createdAt();
      waited.add(Duration.between(due, now).isNegative() ? Duration.ZERO : Duration.between(due, now));
      return new Claimed(Optional.of(
          new ControllerJobOffer(j.id(), token, deviceId, accountId, j.action(), j.params(), j.attempts() + 1, expires,
              // the message cannot be older than the job's due time; a restored job is looked for since its backup
              verify ? Long.valueOf((j.notBefore() != null ? j.notBefore() : j.createdAt()).toEpochMilli())
                  : j.verifySince() != null ? Long.valueOf(j.verifySince().toEpochMilli()) : null, null)), carried);
    }
    return new Claimed(Optional.empty(), null);
  }

  /**
   * Says on a queued job which rule holds it back, why and until when, beside the reason the job
   * may already have (why it was queued again). Written only when something changes.
   */
  private static void noteWait(Connection c, Job j, Verdict v) throws SQLException {
    if (j.state() != JobState.QUEUED) {
      return; // an UNKNOWN job keeps the reason it may have sent
    }
    String note = JobRows.truncate(v.rule() + ": " + v.reason(), 1000);
    Long until = v.until() == null ? null : v.until().toEpochMilli();
    Long was = j.waitUntil() == null ? null : j.waitUntil().toEpochMilli();
    if (v.rule().equals(j.decidedBy()) && note.equals(j.waitNote()) && java.util.Objects.equals(until, was)) {
      return;
    }
    Sql.update(c, "UPDATE jobs SET wait_note = ?, decided_by = ?, wait_until = ? WHERE id = ? AND state = 'QUEUED'", note, v.rule(), until, j.id());
  }

  /** Webhook steps are called by the controller itself (webhook.CallWebhookStepsTask), never offered to a device. */
  private static final String DEVICE_WORK = " AND action <> 'webhook'";

  /**
   * The account's next job in claim order (priority, then due time, then arrival), leaving out
   * {@code waiting}. UNKNOWN jobs come back too, as verify-then-send, until their attempts run out;
   * never past their window, when only a person can tell what happened. Each of the two reads walks
   * the claim index and stops at its first row.
   */
  private Optional<Job> nextDue(Connection c, boolean postgres, String accountId, List<String> waiting, Instant now, int maxAttempts) throws SQLException {
    if (postgres) {
      Sql.Read<Object[]> both = headsRead(accountId, waiting, now, maxAttempts, null);
      return earliest(Sql.list(c, both.sql(), both.row(), both.args().toArray()).stream().map(h -> (Job) h[0]).toList());
    }
    List<Job> heads = new ArrayList<>();
    for (Sql.Read<Job> one : List.of(queuedRead(false, accountId, waiting, now, ""), unknownRead(false, accountId, waiting, now, maxAttempts, ""))) {
      Sql.one(c, one.sql(), one.row(), one.args().toArray()).ifPresent(heads::add);
    }
    return earliest(heads);
  }

  /**
   * PostgreSQL: the heads of both (the queued and the unknown) in one statement, each answered as
   * {job, its group's posts taken on {@code day}}, the posts read only where {@code day} is not null.
   */
  static Sql.Read<Object[]> headsRead(String accountId, List<String> waiting, Instant now, int maxAttempts, LocalDate day) {
    String used = day == null ? "" : ", " + GroupDailyQuota.USED_BY_JOBS_GROUP_ON + " AS day_used";
    Sql.Read<Job> queued = queuedRead(true, accountId, waiting, now, used);
    Sql.Read<Job> unknown = unknownRead(true, accountId, waiting, now, maxAttempts, used);
    List<Object> args = new ArrayList<>();
    for (Sql.Read<Job> part : List.of(queued, unknown)) {
      if (day != null) {
        args.add(Date.valueOf(day)); // the column's argument comes before the part's own
      }
      args.addAll(part.args());
    }
    return new Sql.Read<>("(" + queued.sql() + ") UNION ALL (" + unknown.sql() + ")",
        rs -> new Object[] {JobRows.job(rs), day == null ? null : rs.getInt("day_used")}, args);
  }

  private static Sql.Read<Job> queuedRead(boolean postgres, String accountId, List<String> waiting, Instant now, String extraColumns) {
    List<Object> args = new ArrayList<>(List.of(accountId, now.toEpochMilli()));
    args.addAll(waiting);
    return new Sql.Read<>("SELECT " + JobRows.JOB_COLUMNS + extraColumns + " FROM jobs WHERE account_id = ? AND state = 'QUEUED' AND due_at <= ?"
        + heldAndWaiting(postgres, waiting) + DEVICE_WORK + CLAIM_ORDER, JobRows::job, args);
  }

  private static Sql.Read<Job> unknownRead(boolean postgres, String accountId, List<String> waiting, Instant now, int maxAttempts, String extraColumns) {
    List<Object> args = new ArrayList<>(List.of(accountId, now.toEpochMilli(), maxAttempts, now.toEpochMilli()));
    args.addAll(waiting);
    return new Sql.Read<>("SELECT " + JobRows.JOB_COLUMNS + extraColumns + " FROM jobs WHERE account_id = ? AND state = 'UNKNOWN' AND due_at <= ? AND attempts < ?"
        + " AND (expires_at IS NULL OR expires_at >= ?)" + heldAndWaiting(postgres, waiting) + DEVICE_WORK + CLAIM_ORDER, JobRows::job, args);
  }

  // The equal columns are named too: that is what lets the planner read the index in order.
  private static final String CLAIM_ORDER = " ORDER BY account_id, state, priority DESC, due_at, seq LIMIT 1";

  private static String heldAndWaiting(boolean postgres, List<String> waiting) {
    // Jobs of a group the client could not find are held there, not tried again one by one.
    // The few held groups are read once per statement by their index, then the claim index is walked
    // in order: a correlated NOT EXISTS let PostgreSQL hash every group of the farm for each claim.
    // On H2 the earlier form (two reads, the correlated NOT EXISTS) measured faster: 546-576 against
    // 403 jobs/s in bench dispatch's burst.
    StringBuilder skip = new StringBuilder(postgres
        ? " AND (group_id IS NULL OR group_id NOT IN (SELECT g.id FROM chat_groups g WHERE g.reachability IN ('unreachable', 'gone')))"
        : " AND NOT EXISTS (SELECT 1 FROM chat_groups g WHERE g.id = jobs.group_id AND g.reachability <> 'ok')");
    for (int i = 0; i < waiting.size(); i++) {
      skip.append(" AND id <> ?");
    }
    return skip.toString();
  }

  /** Of the heads read (at most one queued, one unknown), the one claim order puts first. */
  private static Optional<Job> earliest(List<Job> heads) {
    Optional<Job> queued = heads.stream().filter(j -> j.state() == JobState.QUEUED).findFirst();
    Optional<Job> unknown = heads.stream().filter(j -> j.state() == JobState.UNKNOWN).findFirst();
    if (queued.isEmpty() || unknown.isEmpty()) {
      return queued.isPresent() ? queued : unknown;
    }
    java.util.Comparator<Job> claimOrder = java.util.Comparator.comparing((Job j) -> -j.priority())
        .thenComparing(j -> j.notBefore() != null ? j.notBefore() : j.createdAt());
    return Optional.of(claimOrder.compare(unknown.get(), queued.get()) < 0 ? unknown.get() : queued.get());
  }

  private static void skip(Connection c, String jobId, Verdict v, Instant now) throws SQLException {
    Sql.update(c, "UPDATE jobs SET state = 'SKIPPED', reason = ?, decided_by = ?, wait_until = NULL, wait_note = NULL, updated_at = ? WHERE id = ? AND state = 'QUEUED'",
        JobRows.truncate(v.reason(), 1000), v.rule(), now.toEpochMilli(), jobId);
  }

  /** Due rows a pass reads from the jobs' side before it asks account by account instead. */
  static final int DUE_ROWS_READ = 2_000;

  /** A pass asking for at most this many accounts asks for each, without reading the due rows first. */
  static final int ASKED_ONE_BY_ONE = 64;

  private volatile long overflowedAt = System.nanoTime() - 2_000_000_000L;

  /**
   * Of {@code accountIds}, those a claim could do something for now: a device job due (queued, or
   * unknown and due for its verify), or a cooling to lift. It may answer more than a claim then
   * takes (a held group, a rule that waits), never less. Its cost follows the work, not the farm:
   * the due rows are read by their own index (a farm of idle devices costs two empty index reads a
   * pass); only when more than {@link #DUE_ROWS_READ} rows are due (a burst, where most accounts
   * have work anyway) does it ask for each account in one statement per 500.
   */
  public java.util.Set<String> withWorkNow(java.util.Collection<String> accountIds, Instant now) {
    return withWorkNow(accountIds, now, DUE_ROWS_READ, ASKED_ONE_BY_ONE);
  }

  /**
   * As above, reading at most {@code dueRows} due rows of a state before asking account by account,
   * and asking so straight away for at most {@code oneByOne} accounts.
   */
  java.util.Set<String> withWorkNow(java.util.Collection<String> accountIds, Instant now, int dueRows, int oneByOne) {
    java.util.Set<String> asked = new java.util.LinkedHashSet<>(accountIds);
    java.util.Set<String> out = new java.util.HashSet<>();
    if (asked.isEmpty()) {
      return out;
    }
    // In a burst most accounts have work: after a read that found more rows due than it reads, the
    // passes of the next second ask account by account straight away (either way answers the same).
    // A pass of a few devices asks account by account too: a probe each by the claim index costs
    // less than reading up to the due rows' limit (on PostgreSQL, 1.8 ms a read in bench dispatch).
    boolean exact = asked.size() > oneByOne && System.nanoTime() - overflowedAt >= 1_000_000_000L && db.inTransaction(c -> {
      for (String state : List.of("QUEUED", "UNKNOWN")) {
        // The state is written out: PostgreSQL's due index holds waiting states only, which a
        // parameter could not show the planner.
        List<String> due = Sql.list(c, "SELECT account_id FROM jobs WHERE state = '" + state + "' AND due_at <= ?" + DEVICE_WORK + " LIMIT " + (dueRows + 1),
            rs -> rs.getString(1), now.toEpochMilli());
        if (due.size() > dueRows) {
          overflowedAt = System.nanoTime();
          return false;
        }
        due.stream().filter(asked::contains).forEach(out::add);
      }
      Sql.list(c, "SELECT id FROM accounts WHERE status = 'cooling' AND cooling_until <= ?", rs -> rs.getString(1), now.toEpochMilli())
          .stream().filter(asked::contains).forEach(out::add);
      return true;
    });
    if (exact) {
      return out;
    }
    out.clear();
    List<String> ids = List.copyOf(asked);
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> part = ids.subList(from, Math.min(ids.size(), from + 500));
      Sql.Read<String> probe = probeRead(part, now);
      out.addAll(db.inTransaction(c -> {
        if (db.dialect() == com.wecomrpa.controller.store.Dialect.POSTGRESQL) {
          // PostgreSQL's statistics of a burst are those of its start (every account with hundreds
          // of due jobs), so it expects a scan of the table to meet one at once and probes each
          // account so; an account already done reads the whole table (50 ms and 5,000 buffers a
          // pass). By the claim index each probe reads a few entries, whatever the statistics say.
          // The setting (SET LOCAL's, as a function that answers a row) goes in the probe's round trip.
          Sql.Read<String> local = new Sql.Read<>("SELECT set_config('enable_seqscan', 'off', true)", rs -> rs.getString(1), List.of());
          @SuppressWarnings("unchecked") List<String> found = (List<String>) Sql.lists(c, List.of(local, probe)).get(1);
          return found;
        }
        return Sql.list(c, probe.sql(), probe.row(), probe.args().toArray());
      }));
    }
    return out;
  }

  /** Of {@code accountIds}, those with a device job due or a cooling to lift, in one statement. */
  Sql.Read<String> probeRead(List<String> accountIds, Instant now) {
    boolean h2 = db.dialect() == com.wecomrpa.controller.store.Dialect.H2;
    List<Object> args = new ArrayList<>();
    // On PostgreSQL one statement for any number of accounts: a list of each length a pass happened
    // to have was planned afresh, about 0.5 ms of the server's time a pass in the burst.
    String among = db.dialect().oneOf("a.id", accountIds, args);
    args.add(now.toEpochMilli());
    args.add(now.toEpochMilli());
    args.add(now.toEpochMilli());
    // The embedded store picks the due index for each probe, whose walk for an account with
    // nothing due passes every due job of the others (9,801 entries in a farm of 10,000 jobs):
    // in bench dispatch's burst that was three-fifths of its CPU. The claim index reads one.
    String jobs = h2 ? "jobs USE INDEX (jobs_claim)" : "jobs";
    return new Sql.Read<>(
        "SELECT a.id FROM accounts a WHERE " + among
            + " AND ((a.status = 'cooling' AND a.cooling_until <= ?)"
            + " OR EXISTS (SELECT 1 FROM " + jobs + " WHERE jobs.account_id = a.id AND jobs.state = 'QUEUED' AND jobs.due_at <= ?" + DEVICE_WORK + ")"
            + " OR EXISTS (SELECT 1 FROM " + jobs + " WHERE jobs.account_id = a.id AND jobs.state = 'UNKNOWN' AND jobs.due_at <= ?" + DEVICE_WORK + "))",
        rs -> rs.getString(1), args);
  }

  /** Two claimers read the same queued job; the loser's transaction rolls back and it tries again. */
  public static final class ConcurrentClaim extends RuntimeException {
    public ConcurrentClaim(String jobId) {
      super("job " + jobId + " was leased concurrently");
    }
  }


  private static Candidate candidate(Job j) {
    return new Candidate(j.accountId(), j.groupId(), j.action(), j.state() == JobState.UNKNOWN, j.expiresAt(),
        GroupDailyQuota.countsAsPost(j.groupId(), j.action(), j.sourceKind()), j.id(), j.customerId(), j.sourceKind(), j.sourceId(), j.touch(), j.guard());
  }
}
