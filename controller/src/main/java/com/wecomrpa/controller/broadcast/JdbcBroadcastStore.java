package com.wecomrpa.controller.broadcast;

import com.wecomrpa.protocol.ActionName;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.Jobs;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.WireCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Broadcasts, each stored together with its one-job-per-group expansion in one transaction. */
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

  /** Stores the broadcast and queues one job per target group; all or nothing. */
  public Broadcast create(String id, Content content, Target target, Instant now) {
    return db.inTransaction(
        c -> {
          if (Sql.count(c, "SELECT COUNT(*) FROM broadcasts WHERE id = ?", id) > 0) {
            throw Rejected.conflict("id", "broadcast " + id + " already exists");
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
          Sql.update(
              c,
              "INSERT INTO broadcasts (id, content, target, job_count, created_at) VALUES (?, ?, ?, ?, ?)",
              id, write(content), write(target), groups.size(), now.toEpochMilli());
          // Jobs are built and stored a slice at a time (one transaction still): a broadcast to
          // 200,000 groups never holds all its jobs in memory at once.
          for (int from = 0; from < groups.size(); from += ENQUEUE_SLICE) {
            List<NewJob> slice = new ArrayList<>();
            for (String[] g : groups.subList(from, Math.min(groups.size(), from + ENQUEUE_SLICE))) {
              Map<String, String> params = new LinkedHashMap<>();
              params.put("group_id", g[0]);
              params.put("group_name", g[1]);
              params.put("text", content.text());
              slice.add(NewJob.now("broadcast:" + id + ":" + g[0], "broadcast", id, g[2], g[0], ACTION, params));
            }
            jobs.intake().enqueue(c, slice, now);
          }
          return new Broadcast(id, content, target, groups.size(), now, Map.of(), null);
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
    return stored(id).map(x -> new Broadcast(x.id(), x.content(), x.target(), x.jobCount(), x.createdAt(), jobs.queries().countsBySource(x.id()),
        jobs.queries().sendTimes(x.id())));
  }

  /** A broadcast with its progress only (no send times: they read every attempt's timings). */
  public Optional<Broadcast> summary(String id) {
    return stored(id).map(x -> new Broadcast(x.id(), x.content(), x.target(), x.jobCount(), x.createdAt(), jobs.queries().countsBySource(x.id()), null));
  }

  private Optional<Broadcast> stored(String id) {
    Optional<Broadcast> b =
        db.inTransaction(
            c ->
                Sql.one(
                    c,
                    "SELECT id, content, target, job_count, created_at FROM broadcasts WHERE id = ?",
                    rs ->
                        new Broadcast(
                            rs.getString(1),
                            read(rs.getString(2), Content.class),
                            read(rs.getString(3), Target.class),
                            rs.getInt(4),
                            Instant.ofEpochMilli(rs.getLong(5)),
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
