package com.wecomrpa.controller.broadcast;

import com.wecomrpa.protocol.ActionName;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.sop.SenderContent;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Broadcasts, each stored together with its one-job-per-group (or per-customer) expansion in one transaction. */
public final class JdbcBroadcastStore {
  public static final String ACTION = ActionName.SEND_GROUP_TEXT;
  private static final int ENQUEUE_SLICE = 5000;

  private final Database db;
  private final Jobs jobs;
  private final ObjectMapper json = WireCodec.mapper();

  public JdbcBroadcastStore(Database db, Jobs jobs) {
    this.db = db;
    this.jobs = jobs;
  }

  /** What a customer broadcast would reach, without storing anything. */
  public record Preview(int count, Map<String, Integer> byAccount, List<Map<String, String>> examples, int overCadenceNow) {}

  /**
   * Stores the broadcast and queues one job per target group or customer; all or nothing. The jobs
   * are due at {@code sendAt} (null: now), so a scheduled broadcast is stored, counted and
   * cancellable long before it sends.
   */
  public Broadcast create(String id, Content content, Target target, Instant sendAt, Instant now) {
    return db.inTransaction(
        c -> {
          if (Sql.count(c, "SELECT COUNT(*) FROM broadcasts WHERE id = ?", id) > 0) {
            throw Rejected.conflict("id", "broadcast " + id + " already exists");
          }
          if (target.customers() != null) {
            return toCustomers(c, id, content, target, sendAt, now);
          }
          // id, name and account of each target group: one read for a tag, one per listed id.
          List<String[]> groups = new ArrayList<>();
          if (target.groupIds() != null) {
            for (String gid : target.groupIds()) {
              groups.add(Sql.one(c, "SELECT id, name, account_id FROM chat_groups WHERE id = ?", JdbcBroadcastStore::group, gid)
                  .orElseThrow(() -> Rejected.notFound("target.groupIds", "group " + gid + " not found")));
            }
          } else {
            groups.addAll(Sql.list(c, "SELECT g.id, g.name, g.account_id FROM group_tags t JOIN chat_groups g ON g.id = t.group_id WHERE t.tag = ? ORDER BY g.id",
                JdbcBroadcastStore::group, target.tag()));
            if (groups.isEmpty()) {
              throw Rejected.invalid("target.tag", "no group has tag " + target.tag());
            }
          }
          insert(c, id, content, target, groups.size(), sendAt, now);
          // Jobs are built and stored a slice at a time (one transaction still): a broadcast to
          // 200,000 groups never holds all its jobs in memory at once.
          for (int from = 0; from < groups.size(); from += ENQUEUE_SLICE) {
            List<NewJob> slice = new ArrayList<>();
            for (String[] g : groups.subList(from, Math.min(groups.size(), from + ENQUEUE_SLICE))) {
              slice.add(NewJob.dueAt(sendAt, "broadcast:" + id + ":" + g[0], "broadcast", id, g[2], g[0], action(content, g), params(content, g)));
            }
            jobs.intake().enqueue(c, slice, now);
          }
          return new Broadcast(id, content, target, groups.size(), now, sendAt, Map.of(), Map.of(), null);
        });
  }

  private void insert(java.sql.Connection c, String id, Content content, Target target, int jobs, Instant sendAt, Instant now) throws java.sql.SQLException {
    Sql.update(c, "INSERT INTO broadcasts (id, content, target, job_count, created_at, send_at) VALUES (?, ?, ?, ?, ?, ?)",
        id, write(content), write(target), jobs, now.toEpochMilli(), sendAt == null ? null : sendAt.toEpochMilli());
  }

  /** A text goes as written (no variables, as ever); other kinds as a group plan's step would send them. */
  private static String action(Content content, String[] g) {
    return "text".equals(content.kind()) ? ACTION : SenderContent.forGroup(content.spec(), g[0], g[1], Map.of()).name();
  }

  private static Map<String, String> params(Content content, String[] g) {
    if (!"text".equals(content.kind())) {
      return SenderContent.forGroup(content.spec(), g[0], g[1], Map.of("group_name", g[1])).params();
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("group_id", g[0]);
    params.put("group_name", g[1]);
    params.put("text", content.text());
    return params;
  }

  /**
   * One private message per customer of the segment, through the account that holds them; each a
   * marketing touch that spends the customer's cadence when it is claimed.
   */
  private Broadcast toCustomers(java.sql.Connection c, String id, Content content, Target target, Instant sendAt, Instant now) throws java.sql.SQLException {
    List<Segments.Member> members = Segments.match(c, target.customers(), now);
    if (members.isEmpty()) {
      throw Rejected.invalid("target.customers", "no active customer matches target.customers");
    }
    insert(c, id, content, target, members.size(), sendAt, now);
    Map<String, String> accountNames = Segments.accountNames(c);
    for (int from = 0; from < members.size(); from += ENQUEUE_SLICE) {
      List<NewJob> slice = new ArrayList<>();
      for (Segments.Member m : members.subList(from, Math.min(members.size(), from + ENQUEUE_SLICE))) {
        Map<String, String> vars = new java.util.HashMap<>();
        vars.put("nickname", m.nickname());
        vars.put("customer_id", m.id());
        vars.put("account_name", accountNames.getOrDefault(m.accountId(), m.accountId()));
        vars.put("stage", m.stage() == null ? "" : m.stage());
        SenderContent.Action a = SenderContent.forCustomer(content.spec(), m.id(), m.nickname(), vars);
        slice.add(new NewJob("broadcast:" + id + ":cust:" + m.id(), "broadcast", id, m.accountId(), null, m.id(), a.name(), a.params(), 0, sendAt, null, null,
            NewJob.MARKETING, null));
      }
      jobs.intake().enqueue(c, slice, now);
    }
    return new Broadcast(id, content, target, members.size(), now, sendAt, Map.of(), Map.of(), null);
  }

  /** The customers a segment matches now: how many, per account, ten of them, and how many are over their cadence now. */
  public Preview preview(Segment segment, Instant now, com.wecomrpa.controller.cadence.CadenceCheck cadence) {
    return db.inTransaction(c -> {
      List<Segments.Member> members = Segments.match(c, segment, now);
      Map<String, Integer> byAccount = new java.util.TreeMap<>();
      List<Map<String, String>> examples = new ArrayList<>();
      int over = 0;
      for (Segments.Member m : members) {
        byAccount.merge(m.accountId(), 1, Integer::sum);
        if (examples.size() < 10) {
          Map<String, String> e = new LinkedHashMap<>();
          e.put("id", m.id());
          e.put("nickname", m.nickname());
          e.put("accountId", m.accountId());
          e.put("stage", m.stage());
          examples.add(e);
        }
        if (cadence.full(c, m.id(), now).isPresent()) {
          over++;
        }
      }
      return new Preview(members.size(), byAccount, examples, over);
    });
  }

  private static String[] group(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
  }

  /** The newest broadcasts first, each with its progress and send times. */
  public java.util.List<Broadcast> list(int limit) {
    return newest(limit).stream().map(this::find).flatMap(Optional::stream).toList();
  }

  /** The ids of the newest broadcasts, newest first. */
  public java.util.List<String> newest(int limit) {
    return db.inTransaction(c -> Sql.list(c, "SELECT id FROM broadcasts ORDER BY created_at DESC, id LIMIT " + limit, rs -> rs.getString(1)));
  }

  /** A broadcast with its progress and the device time of its sends. */
  public Optional<Broadcast> find(String id) {
    return stored(id).map(x -> new Broadcast(x.id(), x.content(), x.target(), x.jobCount(), x.createdAt(), x.sendAt(), jobs.queries().countsBySource(x.id()),
        jobs.queries().waitingBySource(x.id()), sendTimes(x.id())));
  }

  /** A broadcast with its progress only (no send times: they read every attempt's timings). */
  public Optional<Broadcast> summary(String id) {
    return stored(id).map(x -> new Broadcast(x.id(), x.content(), x.target(), x.jobCount(), x.createdAt(), x.sendAt(), jobs.queries().countsBySource(x.id()),
        jobs.queries().waitingBySource(x.id()), null));
  }

  /** No send times before the first send: a mean of nothing is not 0 ms. */
  private com.wecomrpa.controller.job.SendTimes sendTimes(String id) {
    com.wecomrpa.controller.job.SendTimes t = jobs.queries().sendTimes(id);
    return t == null || t.count() == 0 ? null : t;
  }

  private Optional<Broadcast> stored(String id) {
    Optional<Broadcast> b =
        db.inTransaction(
            c ->
                Sql.one(
                    c,
                    "SELECT id, content, target, job_count, created_at, send_at FROM broadcasts WHERE id = ?",
                    rs ->
                        new Broadcast(
                            rs.getString(1),
                            read(rs.getString(2), Content.class),
                            read(rs.getString(3), Target.class),
                            rs.getInt(4),
                            Instant.ofEpochMilli(rs.getLong(5)),
                            rs.getObject(6) == null ? null : Instant.ofEpochMilli(rs.getLong(6)),
                            Map.of(),
                            Map.of(),
                            null),
                    id));
    return b;
  }

  private <T> T read(String text, Class<T> type) {
    try {
      return json.readValue(text, type);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable stored " + type.getSimpleName(), e);
    }
  }

  private String write(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
