package com.wecomrpa.controller.broadcast;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.Rejected;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.job.JdbcJobStore;
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
  public static final String ACTION = "send_group_text";

  private final Database db;
  private final JdbcJobStore jobs;
  private final ObjectMapper json = WireCodec.mapper();

  public JdbcBroadcastStore(Database db, JdbcJobStore jobs) {
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
          List<ChatGroup> groups = new ArrayList<>();
          if (target.groupIds() != null) {
            for (int i = 0; i < target.groupIds().size(); i++) {
              String gid = target.groupIds().get(i);
              groups.add(
                  JdbcGroupStore.findIn(c, gid)
                      .orElseThrow(() -> Rejected.notFound("target.groupIds", "group " + gid + " not found")));
            }
          } else {
            for (String gid : Sql.list(c, "SELECT group_id FROM group_tags WHERE tag = ? ORDER BY group_id", rs -> rs.getString(1), target.tag())) {
              groups.add(JdbcGroupStore.findIn(c, gid).orElseThrow());
            }
            if (groups.isEmpty()) {
              throw Rejected.invalid("target.tag", "no group has tag " + target.tag());
            }
          }
          List<NewJob> newJobs = new ArrayList<>();
          for (ChatGroup g : groups) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("group_id", g.id());
            params.put("group_name", g.name());
            params.put("text", content.text());
            newJobs.add(NewJob.now("broadcast:" + id + ":" + g.id(), "broadcast", id, g.accountId(), g.id(), ACTION, params));
          }
          Sql.update(
              c,
              "INSERT INTO broadcasts (id, content, target, job_count, created_at) VALUES (?, ?, ?, ?, ?)",
              id, write(content), write(target), newJobs.size(), now.toEpochMilli());
          jobs.enqueue(c, newJobs, now);
          return new Broadcast(id, content, target, newJobs.size(), now, Map.of(), null);
        });
  }

  public Optional<Broadcast> find(String id) {
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
    return b.map(x -> new Broadcast(x.id(), x.content(), x.target(), x.jobCount(), x.createdAt(), jobs.countsBySource(x.id()), jobs.sendTimes(x.id())));
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
