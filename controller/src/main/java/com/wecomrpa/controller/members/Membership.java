package com.wecomrpa.controller.members;

import com.wecomrpa.controller.channel.ChannelCodes;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.job.JobIntake;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.journey.CustomerEvent;
import com.wecomrpa.controller.journey.EventIntake;
import com.wecomrpa.controller.sop.Triggers;
import com.wecomrpa.controller.spam.AntiSpam;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.controller.welcome.Welcomes;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.AgentHeard;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one writer of {@code group_members} and {@code friend_requests}: what listening heard about
 * who is in a group and who wants to be a friend. A join, leave or friend added becomes the customer
 * event a CRM would have posted ({@code joined_group}, {@code left_group}, {@code friend_added}),
 * once per line read (its id is the line's), so the plans they start start once; a pending friend
 * request gets one accept job at a time, which the claim rules pace and cap like a send.
 */
public final class Membership {
  /** What the lines and requests of one listen did. */
  public static final class Tally {
    public int joins;
    public int leaves;
    public int friendsAdded;
    public int acceptsQueued;
    public int welcomesPending;
    public int removalsQueued;
    public int removalsHeard;
    public int plansStarted;
  }

  /** A pending request whose accept job ended without adding the friend is tried again after this. */
  static final Duration RETRY_ACCEPT = Duration.ofHours(1);

  private final EventIntake events;
  private final JobIntake jobs;
  private final Welcomes welcomes;
  private final AntiSpam spam;

  public Membership(EventIntake events, JobIntake jobs, Welcomes welcomes, AntiSpam spam) {
    this.events = events;
    this.jobs = jobs;
    this.welcomes = welcomes;
    this.spam = spam;
  }

  /**
   * A system line read for the first time in a chat of {@code accountId}: {@code groupId} is the
   * group's id (null for a private chat or a group the controller does not know), {@code lineKey}
   * the line's identity among the account's messages.
   */
  public void heard(Connection c, String accountId, String groupId, MemberLine line, String lineKey, Instant at, Instant now, Tally tally)
      throws SQLException {
    switch (line.event()) {
      case ADDED -> friendAdded(c, accountId, line.name(), lineKey, at, now, tally);
      case JOINED -> {
        if (groupId != null) {
          String customer = customerFor(c, accountId, line.name());
          upsertMember(c, groupId, line.name(), customer, "in", line.how(), at);
          GroupSizes.changed(c, groupId, 1);
          logEvent(c, groupId, line.name(), "joined", at);
          tally.joins++;
          if (spam.blacklisted(c, accountId, line.name())) {
            // Blacklisted by an anti-spam rule: removed again, never welcomed.
            spam.rejoined(c, accountId, groupId, line.name(), now);
            tally.removalsQueued++;
          } else if (!spam.staff(c, accountId, line.name()) && welcomes.joined(c, groupId, line.name(), now)) {
            // (staff joining a customer group are colleagues, not customers to welcome)
            tally.welcomesPending++;
          }
          record(c, Triggers.JOINED_GROUP, accountId, customer, line.name(), lineKey, at, null, now, tally);
        }
      }
      case LEFT -> {
        if (groupId != null) {
          Optional<String> known = Customers.named(c, accountId, line.name());
          upsertMember(c, groupId, line.name(), known.orElse(null), line.how().equals("removed") ? "removed" : "left", line.how(), at);
          GroupSizes.changed(c, groupId, -1);
          boolean removed = line.how().equals("removed");
          logEvent(c, groupId, line.name(), removed ? "removed" : "left", at);
          tally.leaves++;
          if (removed) {
            tally.removalsHeard++;
          }
          if (known.isPresent()) {
            record(c, Triggers.LEFT_GROUP, accountId, known.get(), line.name(), lineKey, at, null, now, tally);
          }
        }
      }
    }
  }

  /**
   * The requests the new-contacts list showed pending: each gets an accept job unless one is open
   * (or ended less than {@link #RETRY_ACCEPT} ago while the request still shows).
   */
  public void requests(Connection c, String accountId, List<AgentHeard.Request> pending, Instant now, Tally tally) throws SQLException {
    for (AgentHeard.Request r : pending) {
      String name = cut(r.name(), 200);
      Optional<Row> row = Sql.one(c, "SELECT state, attempts, job_id, job_at FROM friend_requests WHERE account_id = ? AND name = ?",
          rs -> new Row(rs.getString(1), rs.getInt(2), rs.getString(3), Sql.nullableLong(rs, "job_at")), accountId, name);
      if (row.isPresent() && row.get().jobId() != null && (jobs.open(c, row.get().jobId())
          || (row.get().state().equals("pending") && row.get().jobAt() != null && now.toEpochMilli() - row.get().jobAt() < RETRY_ACCEPT.toMillis()))) {
        continue;
      }
      int attempt = row.map(x -> x.attempts() + 1).orElse(1);
      String jobId = "friend:" + accountId + ":" + digest(name) + ":" + attempt;
      String channel = r.channel() == null || r.channel().isBlank() ? null : cut(r.channel(), 64);
      if (row.isEmpty()) {
        Sql.update(c, "INSERT INTO friend_requests (account_id, name, note, channel_code, state, heard_at, attempts, job_id, job_at)"
            + " VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)", accountId, name, cut(r.note() == null ? "" : r.note(), 500), channel, now.toEpochMilli(), attempt, jobId,
            now.toEpochMilli());
      } else {
        Sql.update(c, "UPDATE friend_requests SET state = 'pending', note = ?, channel_code = COALESCE(?, channel_code), heard_at = ?, attempts = ?, job_id = ?,"
            + " job_at = ? WHERE account_id = ? AND name = ?", cut(r.note() == null ? "" : r.note(), 500), channel, now.toEpochMilli(), attempt, jobId,
            now.toEpochMilli(), accountId, name);
      }
      tally.acceptsQueued += jobs.enqueue(c, List.of(new NewJob(jobId, "friend", accountId, accountId, null, null, ActionName.ACCEPT_FRIEND,
          Map.of("customer_name", name), 0, null, null, null)), now).size();
    }
  }

  private record Row(String state, int attempts, String jobId, Long jobAt) {}

  private void friendAdded(Connection c, String accountId, String name, String lineKey, Instant at, Instant now, Tally tally) throws SQLException {
    String customer = customerFor(c, accountId, name);
    String channel = Sql.one(c, "SELECT channel_code FROM friend_requests WHERE account_id = ? AND name = ?", rs -> rs.getString(1), accountId, name)
        .orElse(null);
    // A code that is unknown here or another account's credits nobody (the customer is still added).
    if (channel != null && ChannelCodes.find(c, channel).filter(code -> code.accountId().equals(accountId)).isEmpty()) {
      channel = null;
    }
    Sql.update(c, "UPDATE friend_requests SET state = 'added', added_at = ?, customer_id = ? WHERE account_id = ? AND name = ?",
        at.toEpochMilli(), customer, accountId, name);
    tally.friendsAdded++;
    record(c, Triggers.FRIEND_ADDED, accountId, customer, name, lineKey, at, channel, now, tally);
  }

  private void record(Connection c, String type, String accountId, String customerId, String name, String lineKey, Instant at, String channel, Instant now,
      Tally tally) throws SQLException {
    String id = "heard:" + digest(accountId + "\u0000" + lineKey);
    EventIntake.Outcome o = events.acceptIn(c, List.of(new CustomerEvent(id, type, accountId, customerId, at.toString(), name, null, null, channel)), now);
    tally.plansStarted += o.sequencesStarted();
  }

  /** The account's customer of that name, or the id a new one gets (the same for the same name). */
  private static String customerFor(Connection c, String accountId, String name) throws SQLException {
    return Customers.named(c, accountId, name).orElse("c-" + digest(accountId + "\u0000" + name).substring(0, 24));
  }

  private static void logEvent(Connection c, String groupId, String name, String event, Instant at) throws SQLException {
    Sql.update(c, "INSERT INTO member_events (group_id, name, event, at) VALUES (?, ?, ?, ?)", groupId, cut(name, 200), event, at.toEpochMilli());
  }

  private static void upsertMember(Connection c, String groupId, String name, String customerId, String state, String how, Instant at) throws SQLException {
    String n = cut(name, 200);
    boolean in = state.equals("in");
    if (Sql.update(c, "UPDATE group_members SET state = ?, how = ?, customer_id = COALESCE(?, customer_id), "
        + (in ? "joined_at = ?, left_at = NULL" : "left_at = ?") + " WHERE group_id = ? AND name = ?", state, how, customerId, at.toEpochMilli(), groupId, n) == 0) {
      Sql.update(c, "INSERT INTO group_members (group_id, name, customer_id, staff, state, joined_at, left_at, how) VALUES (?, ?, ?, FALSE, ?, ?, ?, ?)",
          groupId, n, customerId, state, in ? at.toEpochMilli() : null, in ? null : at.toEpochMilli(), how);
    }
  }

  static String digest(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String cut(String s, int max) {
    return s == null ? null : s.length() <= max ? s : s.substring(0, max);
  }

  /** Erasure (PIPL): friend requests from the customer go; group member rows stop naming them. */
  public static void erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    Sql.update(c, "DELETE FROM friend_requests WHERE customer_id = ?", customerId);
    Sql.update(c, "UPDATE group_members SET customer_id = NULL WHERE customer_id = ?", customerId);
  }
}
