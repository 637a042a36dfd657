package com.wecomrpa.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store parses a statement once per connection, not once per transaction. H2 keeps
 * what it parsed in the session until a rollback, and H2's own pool rolled every connection back
 * as it took it back: each transaction parsed all of its statements again, a third of what the
 * controller allocated while dispatching (docs/performance.md).
 */
class StatementCacheTest {
  @TempDir Path dir;

  @Test
  void aStatementParsedInOneTransactionIsReusedInTheNext() throws Exception {
    Assumptions.assumeTrue(!TestStores.postgres(), "the parsed-statement cache checked is H2's");
    String sql = "SELECT COUNT(*) FROM accounts WHERE status = ?";
    // One thread: the pool hands it back the connection it used last, so both are on one session.
    try (Database db = Database.embedded(dir, 2)) {
      Object first = db.inTransaction(c -> parsed(c.prepareStatement(sql)));
      Object second = db.inTransaction(c -> parsed(c.prepareStatement(sql)));
      assertThat(second).as("the statement H2 parsed for the first transaction").isSameAs(first);
    }
  }

  /** H2's parsed command behind a prepared statement (closed here, which lets the next one reuse it). */
  private static Object parsed(PreparedStatement ps) throws java.sql.SQLException {
    try (ps) {
      ps.setString(1, "active");
      ps.executeQuery().close();
      var field = org.h2.jdbc.JdbcPreparedStatement.class.getDeclaredField("command");
      field.setAccessible(true);
      return field.get(ps.unwrap(org.h2.jdbc.JdbcPreparedStatement.class));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("H2's JdbcPreparedStatement no longer holds its command in 'command'", e);
    }
  }
}
