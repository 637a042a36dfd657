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
   * is of another account, all claims' reads go in one round trip (four statements over the
   * accounts' arrays) and all their leases in one statement more (a claim's rules see only its own
   * account's rows, which no other claim of the batch writes);
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
          // Every claim's reads in one round trip: the accounts' locks first, then each account's
          // limits, next jobs and counters, four statements over the lane's accounts.
          List<Reads> reads = new ArrayList<>();
          for (int i : order) {
            reads.add(zone(asks.get(i).accountId(), now));
          }
          List<List<List<?>>> got = laneReads(c, order.stream().map(i -> asks.get(i).accountId()).toList(), reads, now, maxAttempts);
          List<Lease> writes = new ArrayList<>();
          for (int k = 0; k < order.size(); k++) {
            out.set(order.get(k), claimIn(c, asks.get(order.get(k)), reads.get(k), got.get(k), null, writes, now, realNow, leaseFor, maxAttempts, waited).offer());
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
    return new Sql.Read<>("SELECT " + LOCKED_COLUMNS + " FROM accounts WHERE id = ? FOR " + (postgres ? "NO KEY UPDATE" : "UPDATE"), LOCKED, List.of(accountId));
  }

  /** What a claim reads of its account with the lock, and how a row of it reads. */
  private static final String LOCKED_COLUMNS = "status, cooling_until, next_action_at, time_zone";

  private static final Sql.Row<Object[]> LOCKED =
      rs -> new Object[] {rs.getString(1), Sql.nullableLong(rs, "cooling_until"), Sql.nullableLong(rs, "next_action_at"), rs.getString(4)};

  /**
   * PostgreSQL: what a claim reads first, sent in one round trip: the account's lock, its limits,
   * its next jobs (with the day's posts of their groups) and this hour's counters. The day and the
   * hour are those of the zone the account had at its last claim here ({@code was}, UTC if none),
   * and what was read for them is used only if it still has it. Null on the embedded store.
   */
  private Reads reads(Ask ask, Instant now, int maxAttempts) {
    Reads zone = zone(ask.accountId(), now);
    if (zone == null) {
      return null;
    }
    String accountId = ask.accountId();
    ZonedDateTime guess = zone.guess();
    return new Reads(zone.was(), guess, List.of(lockRead(accountId, true), JdbcLimitStore.effectiveRead(accountId),
        headsRead(accountId, List.of(), now, maxAttempts, guess.toLocalDate()), AccountCounters.periodsRead(accountId, guess)));
  }

  /** {@link #reads} without its statements, for a claim whose reads its lane makes ({@link #laneReads}). */
  private Reads zone(String accountId, Instant now) {
    if (db.dialect() != com.wecomrpa.controller.store.Dialect.POSTGRESQL) {
      return null;
    }
    ZoneId was = zones.get(accountId);
    return new Reads(was, now.atZone(was != null ? was : java.time.ZoneOffset.UTC), List.of());
  }

  private record Reads(ZoneId was, ZonedDateTime guess, List<Sql.Read<?>> statements) {}

  /**
   * PostgreSQL: the reads of {@link #reads} for several accounts (ids in order, no two alike) as
   * four statements in one round trip: the accounts' locks, taken in id order, then their limits,
   * their next jobs (with the day's posts of their groups) and their counters, each read after every
   * lock is granted. Answers each account's four answers, in the form one claim's own reads give.
   */
  private static List<List<List<?>>> laneReads(Connection c, List<String> accounts, List<Reads> reads, Instant now, int maxAttempts) throws SQLException {
    java.sql.Array ids = c.createArrayOf("varchar", accounts.toArray());
    List<Sql.Read<?>> statements = List.of(
        new Sql.Read<>("SELECT " + LOCKED_COLUMNS + ", id FROM accounts WHERE id = ANY(?) ORDER BY id FOR NO KEY UPDATE",
            rs -> new Object[] {rs.getString("id"), LOCKED.map(rs)}, List.of(ids)),
        JdbcLimitStore.effectiveReadAll(ids),
        laneHeadsRead(c, accounts, reads.stream().map(r -> r.guess().toLocalDate()).toList(), now, maxAttempts),
        AccountCounters.periodsReadAll(c, accounts, reads.stream().map(Reads::guess).toList()));
    List<List<?>> got = Sql.lists(c, statements);
    java.util.Map<String, Integer> at = new java.util.HashMap<>();
    List<List<List<?>>> out = new ArrayList<>();
    for (int k = 0; k < accounts.size(); k++) {
      at.put(accounts.get(k), k);
      out.add(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
    }
    for (int s = 0; s < got.size(); s++) {
      for (Object row : got.get(s)) {
        Object[] r = (Object[]) row;
        @SuppressWarnings("unchecked") List<Object> mine = (List<Object>) out.get(at.get((String) r[0])).get(s);
        mine.add(s == 2 ? new Object[] {r[1], r[2]} : r[1]);
      }
    }
    return out;
  }

  /**
   * A claim's lease as one row of {@link #LEASES}: the job as read ({@code state}, {@code wasToken}),
   * what the lease writes, the account's next action (the pace), the group's post to reserve
   * ({@code groupId} null for none) and the account's counters to take ({@code needs}).
   */
  private record Lease(String jobId, String state, long wasToken, long token, long expires, String agentId, String deviceId, Date quotaDay,
      String counters, long at, String accountId, long nextActionAt, int attempt, String groupId, Date usageDay, Integer cap,
      List<AccountCounters.Need> needs) {}

  /** The columns of a {@link Lease}, with their array types, in the order of {@link #LEASES}'s first unnest. */
  private static final String[] LEASE_TYPES = {"varchar", "varchar", "int8", "int8", "int8", "varchar", "varchar", "date", "varchar", "int8", "varchar",
      "int8", "int4", "varchar", "date", "int4"};

  private static final String[] NEED_TYPES = {"varchar", "varchar", "varchar"};

  /**
   * PostgreSQL: the leases of one or more claims (of different accounts, each locked already) in
   * one statement over arrays: the groups' posts, the counters, the pace, the execution rows and the
   * leases. Its parts run together; it answers the id of each job leased, and a lease that someone
   * else took, or whose group's day filled since the count read with the lock, answers none.
   */
  private static final String LEASES = "WITH r AS (SELECT * FROM " + Sql.unnest(LEASE_TYPES) + " AS r(job_id, state, was_token, token, expires, agent_id, device_id,"
      + " quota_day, counters, at, account_id, next_action_at, attempt, group_id, usage_day, cap)),"
      + " n AS (SELECT * FROM " + Sql.unnest(NEED_TYPES) + " AS n(account_id, counter, period)),"
      + " reserved AS (" + GroupDailyQuota.reserveEachSql("r") + "),"
      + " counted AS (" + AccountCounters.takeEachSql("n") + "),"
      + " paced AS (UPDATE accounts a SET next_action_at = r.next_action_at FROM r WHERE a.id = r.account_id),"
      + " ran AS (INSERT INTO executions (job_id, attempt, lease_token, agent_id, device_id, leased_at) SELECT job_id, attempt, token, agent_id, device_id, at FROM r)"
      + " UPDATE jobs j SET state = 'LEASED', lease_token = r.token, lease_expires_at = r.expires, agent_id = r.agent_id, device_id = r.device_id,"
      + " decided_by = NULL, wait_until = NULL, wait_note = NULL, attempts = j.attempts + 1, quota_day = COALESCE(r.quota_day, j.quota_day),"
      + " counters = COALESCE(r.counters, j.counters), updated_at = r.at FROM r"
      + " WHERE j.id = r.job_id AND j.state = r.state AND j.lease_token = r.was_token"
      + " AND (r.group_id IS NULL OR EXISTS (SELECT 1 FROM reserved x WHERE x.group_id = r.group_id)) RETURNING j.id";

  /** {@link #LEASES} for {@code leases}, as a read answering the ids of the jobs leased. */
  private static Sql.Read<String> leasesRead(Connection c, List<Lease> leases) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    List<Object[]> needs = new ArrayList<>();
    for (Lease l : leases) {
      rows.add(new Object[] {l.jobId(), l.state(), l.wasToken(), l.token(), l.expires(), l.agentId(), l.deviceId(), l.quotaDay(), l.counters(), l.at(),
          l.accountId(), l.nextActionAt(), l.attempt(), l.groupId(), l.usageDay(), l.cap()});
      l.needs().forEach(n -> needs.add(new Object[] {l.accountId(), n.counter(), n.period()}));
    }
    List<Object> args = new ArrayList<>(Sql.columns(c, LEASE_TYPES, rows));
    args.addAll(Sql.columns(c, NEED_TYPES, needs));
    return new Sql.Read<>(LEASES, rs -> rs.getString(1), args);
  }

  /**
   * The held-back leases of a batch in one statement (one round trip). Each touches only its own
   * account's rows and job. A lease not taken fails the whole transaction, as one alone would.
   */
  private static void write(Connection c, List<Lease> leases) throws SQLException {
    if (leases.isEmpty()) {
      return;
    }
    Sql.Read<String> all = leasesRead(c, leases);
    java.util.Set<String> taken = new java.util.HashSet<>(Sql.list(c, all.sql(), all.row(), all.args().toArray()));
    for (Lease l : leases) {
      if (!taken.contains(l.jobId())) {
        throw new ConcurrentClaim(l.jobId());
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
  private Claimed claimIn(Connection c, Ask ask, Reads mine, List<List<?>> read, Reads following, List<Lease> deferred,
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
      Date quotaDay = !GroupDailyQuota.countsAsPost(j.groupId(), j.action(), j.sourceKind()) || verify ? null : Date.valueOf(day);
      String counterKeys = verify ? null : AccountCounters.keys(needs);
      long nextActionAt = now.toEpochMilli() + pause;
      Object[] leaseArgs = {token, expires.toEpochMilli(), agentId, deviceId, quotaDay, counterKeys, realNow.toEpochMilli(), j.id(), j.state().name(), j.leaseToken()};
      String pace = "UPDATE accounts SET next_action_at = ? WHERE id = ?";
      Object[] paceArgs = {nextActionAt, accountId};
      String run = "INSERT INTO executions (job_id, attempt, lease_token, agent_id, device_id, leased_at) VALUES (?, ?, ?, ?, ?, ?)";
      Object[] runArgs = {j.id(), j.attempts() + 1, token, agentId, deviceId, realNow.toEpochMilli()};
      long moved;
      List<List<?>> carried = null;
      if (postgres) {
        // One statement writes the group's post, the counters, the lease, the pace and the
        // execution row: its parts run together, and a lease someone else took rolls all back.
        // The group's post is checked by the rule against the count read with the lock: the lease
        // holds only if the reservation does.
        boolean reserving = ctx.reservesWithLease(candidate(j));
        Lease l = new Lease(j.id(), j.state().name(), j.leaseToken(), token, expires.toEpochMilli(), agentId, deviceId, quotaDay,
            counterKeys, realNow.toEpochMilli(), accountId, nextActionAt, j.attempts() + 1, reserving ? j.groupId() : null,
            reserving ? Date.valueOf(day) : null, reserving ? Integer.valueOf(lim.number(LimitName.POSTS_PER_GROUP_PER_DAY)) : null, needs);
        if (deferred != null) {
          // Held back to go with the batch's others, in one statement.
          deferred.add(l);
          moved = 1; // the caller checks it, with the batch's others
        } else {
          List<Sql.Read<?>> statements = new ArrayList<>();
          statements.add(leasesRead(c, List.of(l)));
          if (following != null) {
            statements.addAll(following.statements());
          }
          List<List<?>> answers = Sql.lists(c, statements);
          moved = answers.get(0).size();
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

  /** {@code accountId} null: the account of the lane's row ({@code lane.account_id}) of {@link #laneHeadsRead}. */
  private static Sql.Read<Job> queuedRead(boolean postgres, String accountId, List<String> waiting, Instant now, String extraColumns) {
    List<Object> args = new ArrayList<>();
    if (accountId != null) {
      args.add(accountId);
    }
    args.add(now.toEpochMilli());
    args.addAll(waiting);
    return new Sql.Read<>("SELECT " + JobRows.JOB_COLUMNS + extraColumns + " FROM jobs WHERE account_id = " + (accountId != null ? "?" : "lane.account_id")
        + " AND state = 'QUEUED' AND due_at <= ?" + heldAndWaiting(postgres, waiting) + DEVICE_WORK + CLAIM_ORDER, JobRows::job, args);
  }

  private static Sql.Read<Job> unknownRead(boolean postgres, String accountId, List<String> waiting, Instant now, int maxAttempts, String extraColumns) {
    List<Object> args = new ArrayList<>();
    if (accountId != null) {
      args.add(accountId);
    }
    args.addAll(List.of(now.toEpochMilli(), maxAttempts, now.toEpochMilli()));
    args.addAll(waiting);
    return new Sql.Read<>("SELECT " + JobRows.JOB_COLUMNS + extraColumns + " FROM jobs WHERE account_id = " + (accountId != null ? "?" : "lane.account_id")
        + " AND state = 'UNKNOWN' AND due_at <= ? AND attempts < ?"
        + " AND (expires_at IS NULL OR expires_at >= ?)" + heldAndWaiting(postgres, waiting) + DEVICE_WORK + CLAIM_ORDER, JobRows::job, args);
  }

  /**
   * PostgreSQL: {@link #headsRead} for each account of {@code accounts} at once, each with its own
   * day ({@code days}, the same order): rows of {account id, job, its group's posts taken on the day}.
   */
  private static Sql.Read<Object[]> laneHeadsRead(Connection c, List<String> accounts, List<LocalDate> days, Instant now, int maxAttempts) throws SQLException {
    String used = ", " + GroupDailyQuota.usedByJobsGroupOn("lane.usage_day") + " AS day_used";
    Sql.Read<Job> queued = queuedRead(true, null, List.of(), now, used);
    Sql.Read<Job> unknown = unknownRead(true, null, List.of(), now, maxAttempts, used);
    List<Object> args = new ArrayList<>(Sql.columns(c, new String[] {"varchar", "date"},
        java.util.stream.IntStream.range(0, accounts.size()).mapToObj(i -> new Object[] {accounts.get(i), Date.valueOf(days.get(i))}).toList()));
    args.addAll(queued.args());
    args.addAll(unknown.args());
    return new Sql.Read<>("SELECT lane.account_id AS lane_account, h.* FROM " + Sql.unnest("varchar", "date") + " AS lane(account_id, usage_day)"
        + " CROSS JOIN LATERAL ((" + queued.sql() + ") UNION ALL (" + unknown.sql() + ")) h",
        rs -> new Object[] {rs.getString("lane_account"), JobRows.job(rs), rs.getInt("day_used")}, args);
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
