package com.wecomrpa.controller.group;

import com.wecomrpa.controller.input.Rejected;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.limits.LimitName;
import com.wecomrpa.controller.store.Database;
import com.wecomrpa.controller.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import com.wecomrpa.controller.limits.UsageReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Groups and their tags; enforces the per-account group cap. */
public final class JdbcGroupStore {
  private final Database db;
  private final JdbcLimitStore limits;

  public JdbcGroupStore(Database db, JdbcLimitStore limits) {
    this.db = db;
    this.limits = limits;
  }

  /**
   * Assigns all groups or none. The cap check locks each account's row, so concurrent assignments
   * to one account are serialised and can never pass {@code maxGroupsPerAccount} together.
   */
  public List<ChatGroup> createAll(List<ChatGroup> groups, Instant now) {
    return db.inTransaction(
        c -> {
          Set<String> seen = new HashSet<>();
          for (int i = 0; i < groups.size(); i++) {
            ChatGroup g = groups.get(i);
            String field = groups.size() == 1 ? "id" : "groups[" + i + "].id";
            if (!seen.add(g.id())
                || Sql.count(c, "SELECT COUNT(*) FROM chat_groups WHERE id = ?", g.id()) > 0) {
              throw Rejected.conflict(field, "group " + g.id() + " already exists");
            }
          }
          Map<String, Long> perAccount =
              groups.stream().collect(Collectors.groupingBy(ChatGroup::accountId, LinkedHashMap::new, Collectors.counting()));
          for (Map.Entry<String, Long> e : perAccount.entrySet()) {
            // Named at the first group of that account, so an import can say which line.
            int first = 0;
            while (!groups.get(first).accountId().equals(e.getKey())) {
              first++;
            }
            String field = groups.size() == 1 ? "accountId" : "groups[" + first + "].accountId";
            Optional<Integer> held =
                Sql.one(c, "SELECT group_count FROM accounts WHERE id = ? FOR UPDATE", rs -> rs.getInt(1), e.getKey());
            if (held.isEmpty()) {
              throw Rejected.notFound(field, "account " + e.getKey() + " not found");
            }
            int maxGroupsPerAccount = limits.effective(c, e.getKey(), now).number(LimitName.MAX_GROUPS);
            if (held.get() + e.getValue() > maxGroupsPerAccount) {
              throw Rejected.conflict(
                  field,
                  "account "
                      + e.getKey()
                      + " already has "
                      + held.get()
                      + " groups; the cap is "
                      + maxGroupsPerAccount
                      + " groups per account");
            }
            Sql.update(c, "UPDATE accounts SET group_count = group_count + ? WHERE id = ?", e.getValue().intValue(), e.getKey());
          }
          List<Object[]> groupRows = new ArrayList<>();
          List<Object[]> tagRows = new ArrayList<>();
          for (ChatGroup g : groups) {
            groupRows.add(new Object[] {g.id(), g.name(), g.accountId(), now.toEpochMilli()});
            for (String tag : new HashSet<>(g.tags())) {
              tagRows.add(new Object[] {g.id(), tag});
            }
          }
          Sql.batch(c, "INSERT INTO chat_groups (id, name, account_id, created_at) VALUES (?, ?, ?, ?)", groupRows);
          Sql.batch(c, "INSERT INTO group_tags (group_id, tag) VALUES (?, ?)", tagRows);
          return groups;
        });
  }

  /**
   * A handover moves one group to another account, in the caller's transaction (which holds both
   * accounts' rows and has checked the receiving cap); false if it was not the giving account's.
   */
  public static boolean moveTo(Connection c, String groupId, String from, String to) throws SQLException {
    if (Sql.update(c, "UPDATE chat_groups SET account_id = ? WHERE id = ? AND account_id = ?", to, groupId, from) == 0) {
      return false;
    }
    Sql.update(c, "UPDATE accounts SET group_count = group_count - 1 WHERE id = ?", from);
    Sql.update(c, "UPDATE accounts SET group_count = group_count + 1 WHERE id = ?", to);
    return true;
  }

  public Optional<ChatGroup> find(String id) {
    return db.inTransaction(c -> findIn(c, id));
  }

  /** Groups of one account, or with one tag, or all; either filter may be null. */
  public List<ChatGroup> list(String accountId, String tag) {
    return list(accountId, tag, null);
  }

  /** As {@link #list(String, String)}, and whose name or id contains {@code text} (any case) when given. */
  public List<ChatGroup> list(String accountId, String tag, String text) {
    return db.inTransaction(
        c -> {
          StringBuilder sql = new StringBuilder("SELECT g.id, g.name, g.account_id FROM chat_groups g WHERE 1 = 1");
          List<Object> args = new ArrayList<>();
          if (accountId != null) {
            sql.append(" AND g.account_id = ?");
            args.add(accountId);
          }
          if (tag != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM group_tags t WHERE t.group_id = g.id AND t.tag = ?)");
            args.add(tag);
          }
          if (text != null && !text.isBlank()) {
            sql.append(" AND (LOWER(g.name) LIKE ? OR LOWER(g.id) LIKE ?)");
            String like = "%" + text.toLowerCase(java.util.Locale.ROOT).replace("%", "").replace("_", "") + "%";
            args.add(like);
            args.add(like);
          }
          sql.append(" ORDER BY g.id");
          List<String[]> rows =
              Sql.list(c, sql.toString(), rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, args.toArray());
          Map<String, List<String>> tags = tagsOf(c, accountId);
          return rows.stream()
              .map(r -> new ChatGroup(r[0], r[1], r[2], tags.getOrDefault(r[0], List.of())))
              .toList();
        });
  }

  /** A group's posts today (in its account's zone) against its daily cap. */
  public record DayUse(String groupId, int postsToday, int cap) {}

  /** Today's posts and cap of each group, by group id: one query per account, today in its zone. */
  public Map<String, DayUse> postsToday(List<ChatGroup> groups, Instant now) {
    return db.inTransaction(
        c -> {
          Map<String, Map<String, Integer>> postsByAccount = new java.util.HashMap<>();
          Map<String, Integer> capByAccount = new java.util.HashMap<>();
          Map<String, DayUse> out = new LinkedHashMap<>();
          for (ChatGroup g : groups) {
            if (!postsByAccount.containsKey(g.accountId())) {
              postsByAccount.put(g.accountId(), UsageReport.groupPosts(c, g.accountId(), UsageReport.localNow(c, g.accountId(), now).toLocalDate()));
              capByAccount.put(g.accountId(), limits.effective(c, g.accountId(), now).number(LimitName.POSTS_PER_GROUP_PER_DAY));
            }
            out.put(g.id(), new DayUse(g.id(), postsByAccount.get(g.accountId()).getOrDefault(g.id(), 0), capByAccount.get(g.accountId())));
          }
          return out;
        });
  }

  public static Optional<ChatGroup> findIn(Connection c, String id) throws SQLException {
    Optional<String[]> row =
        Sql.one(c, "SELECT id, name, account_id FROM chat_groups WHERE id = ?", rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, id);
    if (row.isEmpty()) {
      return Optional.empty();
    }
    List<String> tags = Sql.list(c, "SELECT tag FROM group_tags WHERE group_id = ? ORDER BY tag", rs -> rs.getString(1), id);
    String[] r = row.get();
    return Optional.of(new ChatGroup(r[0], r[1], r[2], tags));
  }

  private static Map<String, List<String>> tagsOf(Connection c, String accountId) throws SQLException {
    Map<String, List<String>> tags = new LinkedHashMap<>();
    String sql =
        "SELECT t.group_id, t.tag FROM group_tags t JOIN chat_groups g ON g.id = t.group_id"
            + (accountId != null ? " WHERE g.account_id = ?" : "")
            + " ORDER BY t.group_id, t.tag";
    Object[] args = accountId != null ? new Object[] {accountId} : new Object[0];
    for (String[] r : Sql.list(c, sql, rs -> new String[] {rs.getString(1), rs.getString(2)}, args)) {
      tags.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r[1]);
    }
    return tags;
  }
}
