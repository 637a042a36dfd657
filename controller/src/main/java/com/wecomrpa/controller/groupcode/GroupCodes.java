package com.wecomrpa.controller.groupcode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.caller.Caller;
import com.wecomrpa.controller.customer.Customer;
import com.wecomrpa.controller.customer.Customers;
import com.wecomrpa.controller.input.Fields;
import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.job.JobIntake;
import com.wecomrpa.controller.job.NewJob;
import com.wecomrpa.controller.members.GroupSizes;
import com.wecomrpa.controller.risk.JdbcAlertStore;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.WireCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one owner of {@code group_codes} and {@code group_invites}. Resolving a code for a customer
 * picks the pool by the code's rule and the first group of it with room (members as last counted,
 * plus joins less leaves heard since, plus invitations still pending, under the cap less the
 * margin), and queues one invitation card through the account that holds the customer. A pool with
 * no room left raises an alert and refuses, naming the pool.
 */
public final class GroupCodes {
  /** An invitation is pending (it holds a place in its group) for this long unless the customer joins. */
  static final Duration PENDING = Duration.ofHours(24);
  private static final ObjectMapper JSON = WireCodec.mapper();

  /** What resolving did: the group chosen and the job sending the card ({@code fresh} false: one was pending already). */
  public record Invitation(String codeId, String customerId, String pool, String groupId, String groupName, String jobId, boolean fresh) {}

  public record GroupRow(String groupId, String name, Integer members, int invited, int joined) {}

  public record Report(String codeId, int invited, int joined, List<GroupRow> byGroup) {}

  private final Database db;
  private final AuditLog audit;
  private final JobIntake jobs;

  public GroupCodes(Database db, AuditLog audit, JobIntake jobs) {
    this.db = db;
    this.audit = audit;
    this.jobs = jobs;
  }

  public GroupCode put(String id, GroupCode in, Caller who, Instant now) {
    GroupCode code = GroupCode.checked(id, in);
    return db.inTransaction(c -> {
      List<String> all = new ArrayList<>();
      for (int i = 0; i < code.pools().size(); i++) {
        List<String> groups = code.pools().get(i).groups();
        for (int j = 0; j < groups.size(); j++) {
          if (Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", groups.get(j)) == 0) {
            throw Rejected.notFound("pools[" + i + "].groups[" + j + "]", "pools[" + i + "].groups[" + j + "]: group " + groups.get(j) + " not found");
          }
          all.add(groups.get(j));
        }
      }
      String old = Sql.one(c, "SELECT spec FROM group_codes WHERE id = ?", rs -> rs.getString(1), id).orElse(null);
      Sql.update(c, "DELETE FROM group_codes WHERE id = ?", id);
      Sql.update(c, "INSERT INTO group_codes (id, spec, updated_at) VALUES (?, ?, ?)", id, write(code), now.toEpochMilli());
      // The devices read these groups' member counts from now on, so routing knows their sizes.
      GroupSizes.want(c, all);
      audit.record(c, who, "group-code.put", id, old, write(code), null, now);
      return code;
    });
  }

  public List<GroupCode> codes() {
    return db.inTransaction(c -> Sql.list(c, "SELECT spec FROM group_codes ORDER BY id", rs -> read(rs.getString(1))));
  }

  /** Routes the customer to a group of the code and sends the invitation (once while one is pending). */
  public Invitation resolve(String codeId, String customerId, Instant now) {
    Fields.id("customerId", customerId);
    Invitation made = db.inTransaction(c -> {
      GroupCode code = find(c, codeId);
      if (!code.enabled()) {
        throw Rejected.conflict("id", "group code " + codeId + " is disabled");
      }
      Customer cu = Customers.find(c, customerId).orElseThrow(() -> Rejected.notFound("customerId", "customer " + customerId + " not found"));
      Optional<Invitation> pending = Sql.one(c, "SELECT i.pool, i.group_id, g.name, i.job_id FROM group_invites i JOIN chat_groups g ON g.id = i.group_id"
          + " WHERE i.code_id = ? AND i.customer_id = ? AND i.invited_at > ? ORDER BY i.id DESC LIMIT 1",
          rs -> new Invitation(codeId, customerId, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), false),
          codeId, customerId, now.minus(PENDING).toEpochMilli());
      if (pending.isPresent()) {
        return pending.get();
      }
      GroupCode.Pool pool = Routing.pool(c, code, cu)
          .orElseThrow(() -> Rejected.conflict("customerId", "no pool of group code " + codeId + " takes customer " + customerId + " (routed by " + code.routeBy() + ")"));
      int room = code.memberCap() - code.margin();
      String chosen = null;
      for (String g : pool.groups()) {
        if (!cu.accountId().equals(Sql.one(c, "SELECT account_id FROM chat_groups WHERE id = ?", rs -> rs.getString(1), g).orElse(null))) {
          continue; // an account can only invite to its own groups
        }
        Integer members = GroupSizes.estimate(c, g);
        if ((members == null ? 0 : members) + pendingIn(c, g, now) < room) {
          chosen = g;
          break;
        }
      }
      if (chosen == null) {
        String detail = "group code " + codeId + ": no group of pool " + pool.key() + " held by " + cu.accountId() + " has room (" + room + " members, cap "
            + code.memberCap() + " less margin " + code.margin() + "); add a group to the pool";
        return new Invitation(codeId, customerId, pool.key(), null, detail, cu.accountId(), false);
      }
      String groupName = Sql.one(c, "SELECT name FROM chat_groups WHERE id = ?", rs -> rs.getString(1), chosen).orElseThrow();
      long before = Sql.count(c, "SELECT COUNT(*) FROM group_invites WHERE code_id = ? AND customer_id = ?", codeId, customerId);
      String jobId = "invite:" + codeId + ":" + customerId + ":" + (before + 1);
      jobs.enqueue(c, List.of(new NewJob(jobId, "groupcode", codeId, cu.accountId(), null, customerId, ActionName.INVITE_TO_GROUP,
          Map.of("customer_id", customerId, "customer_name", cu.nickname(), "group_id", chosen, "group_name", groupName), 0, null, null, null)), now);
      Sql.update(c, "INSERT INTO group_invites (code_id, pool, customer_id, account_id, group_id, job_id, invited_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          codeId, pool.key(), customerId, cu.accountId(), chosen, jobId, now.toEpochMilli());
      return new Invitation(codeId, customerId, pool.key(), chosen, groupName, jobId, true);
    });
    if (made.groupId() == null) {
      // The alert is kept though the request is refused: an operator must add a group to the pool.
      db.inTransaction(c -> {
        JdbcAlertStore.insert(c, made.jobId(), "group-code:full", made.groupName(), null, now);
        return null;
      });
      throw Rejected.conflict("pools", made.groupName());
    }
    return made;
  }

  /** Invited and joined per group of the code, with each group's members as far as heard. */
  public Report report(String codeId) {
    return db.inTransaction(c -> {
      GroupCode code = find(c, codeId);
      List<GroupRow> rows = new ArrayList<>();
      for (String g : code.pools().stream().flatMap(p -> p.groups().stream()).distinct().toList()) {
        int invited = (int) Sql.count(c, "SELECT COUNT(*) FROM group_invites WHERE code_id = ? AND group_id = ?", codeId, g);
        int joined = (int) Sql.count(c, "SELECT COUNT(*) FROM group_invites i WHERE i.code_id = ? AND i.group_id = ? AND EXISTS (SELECT 1 FROM group_members m"
            + " WHERE m.group_id = i.group_id AND m.customer_id = i.customer_id AND m.joined_at IS NOT NULL)", codeId, g);
        String name = Sql.one(c, "SELECT name FROM chat_groups WHERE id = ?", rs -> rs.getString(1), g).orElse(g);
        rows.add(new GroupRow(g, name, GroupSizes.estimate(c, g), invited, joined));
      }
      return new Report(codeId, rows.stream().mapToInt(GroupRow::invited).sum(), rows.stream().mapToInt(GroupRow::joined).sum(), rows);
    });
  }

  /**
   * Invitations to the group still pending: sent within {@link #PENDING}, the customer not heard
   * joining it (a join is counted in the group's members instead).
   */
  private static long pendingIn(Connection c, String groupId, Instant now) throws SQLException {
    return Sql.count(c, "SELECT COUNT(*) FROM group_invites i WHERE i.group_id = ? AND i.invited_at > ? AND NOT EXISTS (SELECT 1 FROM group_members m"
        + " WHERE m.group_id = i.group_id AND m.customer_id = i.customer_id AND m.joined_at IS NOT NULL)", groupId, now.minus(PENDING).toEpochMilli());
  }

  private static GroupCode find(Connection c, String codeId) throws SQLException {
    return Sql.one(c, "SELECT spec FROM group_codes WHERE id = ?", rs -> read(rs.getString(1)), codeId)
        .orElseThrow(() -> Rejected.notFound("id", "group code " + codeId + " not found"));
  }

  private static GroupCode read(String json) throws SQLException {
    try {
      return JSON.readValue(json, GroupCode.class);
    } catch (Exception e) {
      throw new SQLException("unreadable group code: " + e.getMessage(), e);
    }
  }

  private static String write(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Erasure (PIPL): the customer's routings to a group. */
  public static int erase(java.sql.Connection c, String customerId) throws java.sql.SQLException {
    return Sql.update(c, "DELETE FROM group_invites WHERE customer_id = ?", customerId);
  }
}
