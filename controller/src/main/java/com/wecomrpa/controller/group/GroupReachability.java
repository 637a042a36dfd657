package com.wecomrpa.controller.group;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.job.Reachability;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * What an operator does with a group the client could not find: rename it to what the client
 * shows now (its held and queued jobs then look for the new name), retry it as it is, or confirm it
 * gone (its held jobs end CANCELLED with the reason). Each is audited.
 */
public final class GroupReachability {
  private final Database db;
  private final AuditLog audit;

  public GroupReachability(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  public Optional<GroupStatus> status(String groupId) {
    return db.inTransaction(c -> status(c, groupId));
  }

  private static Optional<GroupStatus> status(Connection c, String groupId) throws SQLException {
    Optional<com.wecomrpa.controller.group.ChatGroup> g = JdbcGroupStore.findIn(c, groupId);
    if (g.isEmpty()) {
      return Optional.empty();
    }
    int held = (int) Sql.count(c, "SELECT COUNT(*) FROM jobs WHERE group_id = ? AND state = 'QUEUED'", groupId);
    return Sql.one(c, "SELECT reachability, unreachable_reason, unreachable_since, unreachable_job, unreachable_execution FROM chat_groups WHERE id = ?",
        rs -> {
          String state = rs.getString(1);
          Long since = Sql.nullableLong(rs, "unreachable_since");
          return new GroupStatus(g.get().id(), g.get().name(), g.get().accountId(), g.get().tags(), state, rs.getString(2),
              since == null ? null : Instant.ofEpochMilli(since), rs.getString(4), Sql.nullableLong(rs, "unreachable_execution"),
              state.equals("ok") ? 0 : held);
        }, groupId);
  }

  /** The group is called {@code name} in the client now: renamed here, its waiting jobs follow, and held ones go on. */
  public GroupStatus rename(Caller who, String groupId, String name, String reason, Instant now) {
    return db.inTransaction(c -> {
      GroupStatus before = status(c, groupId).orElseThrow(() -> Rejected.notFound("id", "group " + groupId + " not found"));
      Sql.update(c, "UPDATE chat_groups SET name = ? WHERE id = ?", name, groupId);
      Reachability.renamed(c, groupId, name, now);
      Reachability.release(c, groupId, "group renamed to " + name, now);
      audit.record(c, who, "group.rename", groupId, before.name(), name, reason, now);
      return status(c, groupId).orElseThrow();
    });
  }

  /** Try the group again as it is (the bot was added back, the client was wrong once). */
  public GroupStatus retry(Caller who, String groupId, String reason, Instant now) {
    return db.inTransaction(c -> {
      GroupStatus before = status(c, groupId).orElseThrow(() -> Rejected.notFound("id", "group " + groupId + " not found"));
      if (!before.reachability().equals("unreachable")) {
        throw Rejected.conflict("id", "group " + groupId + " is " + before.reachability() + ", not unreachable");
      }
      Reachability.release(c, groupId, "retried by " + who.name(), now);
      audit.record(c, who, "group.retry", groupId, before.reachability(), "ok", reason, now);
      return status(c, groupId).orElseThrow();
    });
  }

  /** Holds the group by hand: nothing goes to it until it is released. */
  public GroupStatus hold(Caller who, String groupId, String reason, Instant now) {
    return db.inTransaction(c -> {
      GroupStatus before = status(c, groupId).orElseThrow(() -> Rejected.notFound("id", "group " + groupId + " not found"));
      if (!Reachability.hold(c, groupId, "held by " + who.name() + (reason == null ? "" : ": " + reason), now)) {
        throw Rejected.conflict("id", "group " + groupId + " is " + before.reachability() + " already");
      }
      audit.record(c, who, "group.hold", groupId, before.reachability(), "held", reason, now);
      return status(c, groupId).orElseThrow();
    });
  }

  /** Releases a held group (by hand, or unreachable): its jobs go on. */
  public GroupStatus release(Caller who, String groupId, String reason, Instant now) {
    return db.inTransaction(c -> {
      GroupStatus before = status(c, groupId).orElseThrow(() -> Rejected.notFound("id", "group " + groupId + " not found"));
      if (!before.reachability().equals("unreachable")) {
        throw Rejected.conflict("id", "group " + groupId + " is " + before.reachability() + ", not held");
      }
      Reachability.release(c, groupId, "released by " + who.name(), now);
      audit.record(c, who, "group.release", groupId, "held: " + before.reason(), "ok", reason, now);
      return status(c, groupId).orElseThrow();
    });
  }

  /** The group is gone for good: its waiting jobs end CANCELLED, and new ones to it end at once. */
  public GroupStatus confirmGone(Caller who, String groupId, String reason, Instant now) {
    return db.inTransaction(c -> {
      GroupStatus before = status(c, groupId).orElseThrow(() -> Rejected.notFound("id", "group " + groupId + " not found"));
      int cancelled = Reachability.confirmGone(c, groupId, reason, now);
      audit.record(c, who, "group.gone", groupId, before.reachability(), "gone (" + cancelled + " jobs cancelled)", reason, now);
      return status(c, groupId).orElseThrow();
    });
  }
}
