package com.wecomrpa.controller.job;

import com.wecomrpa.controller.store.TestStores;
import com.wecomrpa.controller.account.Account;
import com.wecomrpa.controller.account.JdbcAccountStore;
import com.wecomrpa.controller.audit.AuditLog;
import com.wecomrpa.controller.group.ChatGroup;
import com.wecomrpa.controller.group.JdbcGroupStore;
import com.wecomrpa.controller.limits.JdbcLimitStore;
import com.wecomrpa.controller.quota.GroupDailyQuota;
import com.wecomrpa.controller.store.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A real embedded store opened as the controller opens it, with one account and its groups. */
final class StoreFixture implements AutoCloseable {
  final Database db;
  final FencingTokens tokens;
  final Jobs jobs;

  StoreFixture(Path dir) {
    db = TestStores.open(dir, 4);
    tokens = FencingTokens.takeEpoch(db, "test", Instant.now());
    JdbcLimitStore limits = new JdbcLimitStore(db, new AuditLog(db), 200, 3);
    jobs = Jobs.open(db, new GroupDailyQuota(3), limits, new SplittableRandom(1), tokens);
  }

  /** Account acc-1 with groups g-1..g-n and one queued broadcast job per group. */
  StoreFixture seed(int groups) {
    Instant now = Instant.now();
    new JdbcAccountStore(db).create(new Account("acc-1", "wecom", "Bot", "Asia/Shanghai", "active", 0, List.of(), now));
    List<ChatGroup> gs = new ArrayList<>();
    List<NewJob> js = new ArrayList<>();
    for (int i = 1; i <= groups; i++) {
      gs.add(new ChatGroup("g-" + i, "群 " + i, "acc-1", List.of()));
      js.add(NewJob.now(job(i), "broadcast", "b-1", "acc-1", "g-" + i, "send_group_text", Map.of("group_name", "群 " + i, "text", "hi")));
    }
    new JdbcGroupStore(db, new JdbcLimitStore(db, new AuditLog(db), 200, 3)).createAll(gs, now);
    db.inTransaction(c -> jobs.intake().enqueue(c, js, now));
    return this;
  }

  /**
   * PostgreSQL's plan of {@code sql} with sequential and bitmap scans turned off: an empty or small
   * table reads fastest without an index, and with that way closed the plan shows whether an index
   * can answer at all. One line per plan line.
   */
  List<String> planByIndex(String sql, Object... args) {
    return db.inTransaction(c -> {
      try (java.sql.Statement off = c.createStatement()) {
        off.execute("SET LOCAL enable_seqscan = off");
        off.execute("SET LOCAL enable_bitmapscan = off");
      }
      return com.wecomrpa.controller.store.Sql.list(c, "EXPLAIN " + sql, rs -> rs.getString(1), args);
    });
  }

  static String job(int i) {
    return "broadcast:b-1:g-" + i;
  }

  @Override
  public void close() {
    db.close();
  }
}
