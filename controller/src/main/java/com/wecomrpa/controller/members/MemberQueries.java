package com.wecomrpa.controller.members;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Group members and friend requests as the API and the console read them. */
public final class MemberQueries {
  /** One member of a group as the controller heard it: in, left or removed, since when and how. */
  public record Member(String name, String customerId, boolean staff, String state, String joinedAt, String leftAt, String how) {}

  /** A group's members now (in) and those who went, newest change first. */
  public record Members(String groupId, int in, List<Member> members) {}

  /** One friend request seen in the client, and what became of it. */
  public record FriendRequest(String name, String note, String channelCode, String state, String heardAt, int attempts, String jobId, String addedAt,
      String customerId) {}

  private final Database db;

  public MemberQueries(Database db) {
    this.db = db;
  }

  public Members ofGroup(String groupId) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", groupId) == 0) {
        throw Rejected.notFound("id", "group " + groupId + " not found");
      }
      List<Member> all = Sql.list(c, "SELECT name, customer_id, staff, state, joined_at, left_at, how FROM group_members WHERE group_id = ?"
          + " ORDER BY COALESCE(left_at, joined_at, 0) DESC, name", MemberQueries::member, groupId);
      return new Members(groupId, (int) all.stream().filter(m -> m.state().equals("in")).count(), all);
    });
  }

  public List<FriendRequest> requestsTo(String accountId) {
    return db.inTransaction(c -> {
      if (Sql.count(c, "SELECT COUNT(*) FROM accounts WHERE id = ?", accountId) == 0) {
        throw Rejected.notFound("id", "account " + accountId + " not found");
      }
      return Sql.list(c, "SELECT name, note, channel_code, state, heard_at, attempts, job_id, added_at, customer_id FROM friend_requests"
          + " WHERE account_id = ? ORDER BY heard_at DESC, name LIMIT 500", rs -> new FriendRequest(rs.getString(1), rs.getString(2), rs.getString(3),
          rs.getString(4), at(rs, "heard_at"), rs.getInt(6), rs.getString(7), at(rs, "added_at"), rs.getString(9)), accountId);
    });
  }

  private static Member member(ResultSet rs) throws SQLException {
    return new Member(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), at(rs, "joined_at"), at(rs, "left_at"), rs.getString(7));
  }

  private static String at(ResultSet rs, String column) throws SQLException {
    Long ms = Sql.nullableLong(rs, column);
    return ms == null ? null : Instant.ofEpochMilli(ms).toString();
  }
}
