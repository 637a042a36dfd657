package com.wecomrpa.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A store written by an earlier release, kept as data: every row of every table (Flyway's history
 * aside) with the schema version it was written at, in an order that satisfies the foreign keys.
 * Loaded into an empty store migrated to that same version, on either engine, it is that release's
 * store; the release under test then opens it and migrates it the way it would in the field.
 *
 * <p>Made with {@code main}: {@code java -cp launcher/target/test-classes:launcher/target/lib/*:...
 * com.wecomrpa.launcher.StoreFixture DATA_DIR RELEASE OUT.json} on the folder of a store the earlier
 * release wrote (see src/test/resources/upgrade/README.md).
 */
final class StoreFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StoreFixture() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    String url = "jdbc:h2:file:" + data.toAbsolutePath().resolve("controller") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;ACCESS_MODE_DATA=r";
    try (Connection c = DriverManager.getConnection(url, "wecom", "")) {
      ObjectNode out = export(c, args[1]);
      JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[2]).toFile(), out);
      System.out.println("schema " + out.get("schemaVersion") + ", " + out.get("tables").size() + " tables");
    }
  }

  static ObjectNode export(Connection c, String release) throws SQLException {
    ObjectNode out = JSON.createObjectNode();
    out.put("release", release);
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(CAST(version AS INT)) FROM flyway_schema_history WHERE success")) {
      rs.next();
      out.put("schemaVersion", rs.getInt(1));
    }
    ArrayNode tables = out.putArray("tables");
    for (String table : inForeignKeyOrder(c)) {
      ObjectNode t = tables.addObject();
      t.put("name", table);
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
        ResultSetMetaData md = rs.getMetaData();
        ArrayNode columns = t.putArray("columns");
        ArrayNode types = t.putArray("types");
        ArrayNode identity = t.putArray("identity");
        for (int i = 1; i <= md.getColumnCount(); i++) {
          columns.add(md.getColumnName(i).toLowerCase());
          types.add(md.getColumnType(i));
          if (md.isAutoIncrement(i)) {
            identity.add(md.getColumnName(i).toLowerCase());
          }
        }
        ArrayNode rows = t.putArray("rows");
        while (rs.next()) {
          ArrayNode row = rows.addArray();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            Object v = rs.getObject(i);
            if (v == null) {
              row.addNull();
            } else if (v instanceof byte[] b) {
              row.add(Base64.getEncoder().encodeToString(b));
            } else if (v instanceof Boolean b) {
              row.add(b);
            } else if (v instanceof Number n) {
              row.add(n.longValue());
            } else {
              row.add(v.toString());
            }
          }
        }
      }
    }
    return out;
  }

  /** The fixture's schema version: the store is migrated to it before {@link #load}. */
  static int schemaVersion(JsonNode fixture) {
    return fixture.get("schemaVersion").asInt();
  }

  static JsonNode read(String resource) throws Exception {
    try (InputStream in = StoreFixture.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + resource);
      }
      return JSON.readTree(in);
    }
  }

  /** Inserts every row, then moves each identity column past the largest id loaded. */
  static void load(Connection c, JsonNode fixture, boolean postgres) throws SQLException {
    c.setAutoCommit(false);
    for (JsonNode t : fixture.get("tables")) {
      String table = t.get("name").asText();
      List<String> columns = new ArrayList<>();
      t.get("columns").forEach(n -> columns.add(n.asText()));
      int[] types = new int[columns.size()];
      for (int i = 0; i < types.length; i++) {
        types[i] = t.get("types").get(i).asInt();
      }
      String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES (" + "?, ".repeat(columns.size() - 1) + "?)";
      try (PreparedStatement in = c.prepareStatement(sql)) {
        for (JsonNode row : t.get("rows")) {
          for (int i = 0; i < types.length; i++) {
            bind(in, i + 1, types[i], row.get(i));
          }
          in.addBatch();
        }
        in.executeBatch();
      }
      for (JsonNode id : t.get("identity")) {
        String col = id.asText();
        long next;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT coalesce(max(" + col + "), 0) + 1 FROM " + table)) {
          rs.next();
          next = rs.getLong(1);
        }
        try (Statement s = c.createStatement()) {
          s.execute(postgres
              ? "SELECT setval(pg_get_serial_sequence('" + table + "', '" + col + "'), " + next + ", false)"
              : "ALTER TABLE " + table + " ALTER COLUMN " + col + " RESTART WITH " + next);
        }
      }
    }
    c.commit();
  }

  private static void bind(PreparedStatement in, int i, int type, JsonNode v) throws SQLException {
    if (v == null || v.isNull()) {
      in.setNull(i, type);
      return;
    }
    switch (type) {
      case Types.BIGINT -> in.setLong(i, v.asLong());
      case Types.INTEGER, Types.SMALLINT, Types.TINYINT -> in.setInt(i, v.asInt());
      case Types.BOOLEAN, Types.BIT -> in.setBoolean(i, v.asBoolean());
      case Types.DATE -> in.setDate(i, java.sql.Date.valueOf(v.asText()));
      case Types.VARBINARY, Types.BINARY, Types.LONGVARBINARY, Types.BLOB -> in.setBytes(i, Base64.getDecoder().decode(v.asText()));
      case Types.DOUBLE, Types.FLOAT, Types.REAL -> in.setDouble(i, v.asDouble());
      default -> in.setString(i, v.asText());
    }
  }

  /** Every table but Flyway's, each after the tables its foreign keys point at. */
  private static List<String> inForeignKeyOrder(Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    Map<String, Set<String>> needs = new LinkedHashMap<>();
    try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE", "BASE TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME").toLowerCase();
        if (!name.equals("flyway_schema_history")) {
          needs.put(name, new LinkedHashSet<>());
        }
      }
    }
    for (String table : needs.keySet()) {
      try (ResultSet rs = md.getImportedKeys(null, "public", table)) {
        while (rs.next()) {
          String parent = rs.getString("PKTABLE_NAME").toLowerCase();
          if (!parent.equals(table)) {
            needs.get(table).add(parent);
          }
        }
      }
    }
    List<String> order = new ArrayList<>();
    while (order.size() < needs.size()) {
      boolean moved = false;
      for (var e : needs.entrySet()) {
        if (!order.contains(e.getKey()) && order.containsAll(e.getValue())) {
          order.add(e.getKey());
          moved = true;
        }
      }
      if (!moved) {
        throw new IllegalStateException("foreign keys in a cycle among " + needs.keySet());
      }
    }
    return order;
  }

  static void write(Path file, JsonNode fixture) throws Exception {
    Files.createDirectories(file.getParent());
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), fixture);
  }
}
