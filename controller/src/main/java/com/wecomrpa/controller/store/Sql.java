package com.wecomrpa.controller.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small JDBC statements with positional arguments, so stores read as SQL and not as plumbing. */
public final class Sql {
  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private Sql() {}

  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    }
  }

  public static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(row.map(rs));
        }
        return out;
      }
    }
  }

  /** The first row's value; empty when there is no row or its value is SQL NULL. */
  public static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args)
      throws SQLException {
    List<T> all = list(c, sql, row, args);
    return all.isEmpty() ? Optional.empty() : Optional.ofNullable(all.get(0));
  }

  public static long count(Connection c, String sql, Object... args) throws SQLException {
    return one(c, sql, rs -> rs.getLong(1), args).orElse(0L);
  }

  /** One statement of {@link #lists}: its SQL, how its rows read, its arguments. */
  public record Read<T>(String sql, Row<T> row, List<Object> args) {}

  /**
   * PostgreSQL: the statements of {@code reads} in one round trip (the driver sends them together
   * and the server runs them in order, each seeing what the ones before it did), each answered
   * with its rows in the order given. A claim's reads that do not depend on each other's answers
   * cost one wait on the network instead of one each.
   */
  public static List<List<?>> lists(Connection c, List<Read<?>> reads) throws SQLException {
    StringBuilder sql = new StringBuilder();
    List<Object> args = new ArrayList<>();
    for (Read<?> r : reads) {
      if (r.sql().contains(";")) {
        throw new IllegalArgumentException("one statement a read: " + r.sql());
      }
      sql.append(sql.length() == 0 ? "" : "; ").append(r.sql());
      args.addAll(r.args());
    }
    List<List<?>> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(ps, args.toArray());
      boolean rows = ps.execute();
      for (Read<?> r : reads) {
        if (!rows) {
          throw new SQLException("statement " + out.size() + " of " + reads.size() + " answered no rows: " + r.sql());
        }
        List<Object> mine = new ArrayList<>();
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            mine.add(r.row().map(rs));
          }
        }
        out.add(mine);
        rows = ps.getMoreResults();
      }
    }
    return out;
  }

  /** Runs one statement for many argument rows as a JDBC batch. */
  public static void batch(Connection c, String sql, List<Object[]> rows) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (Object[] args : rows) {
        bind(ps, args);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** PostgreSQL: {@code unnest(CAST(? AS t[]), ...)}, one array parameter a column of these types. */
  public static String unnest(String... types) {
    return "unnest(" + String.join(", ", java.util.Arrays.stream(types).map(t -> "CAST(? AS " + t + "[])").toList()) + ")";
  }

  /** PostgreSQL: binds {@code rows} as one array a column, of {@code types}, from the first parameter on. */
  public static void bindColumns(Connection c, PreparedStatement ps, String[] types, List<Object[]> rows) throws SQLException {
    List<java.sql.Array> columns = columns(c, types, rows);
    for (int col = 0; col < columns.size(); col++) {
      ps.setArray(col + 1, columns.get(col));
    }
  }

  /** PostgreSQL: {@code rows} as one array a column, of {@code types}: the arguments of an {@link #unnest}. */
  public static List<java.sql.Array> columns(Connection c, String[] types, List<Object[]> rows) throws SQLException {
    List<java.sql.Array> out = new ArrayList<>();
    for (int col = 0; col < types.length; col++) {
      Object[] values = new Object[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        values[r] = rows.get(r)[col];
      }
      out.add(c.createArrayOf(types[col], values));
    }
    return out;
  }

  /** A nullable BIGINT column. */
  public static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
  }
}
