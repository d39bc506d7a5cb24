package org.orchestrator.dbadmin.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the orchestrator's schema holds, in a few words for the operator: the maintenance phase and
 * the rows of the tables people ask about. Read in the caller's transaction (a backup reads it in the
 * snapshot it dumps, so the figures are the dump's).
 *
 * @param objects every object in the schema that would stand in a restore's way (tables, sequences,
 *     views, functions not belonging to an extension), by name
 * @param serverVersion the server's {@code server_version}
 * @param serverMajor its major version
 */
public record SchemaSummary(String schema, Set<String> objects, String phase, Long windowId,
    Map<String, Long> rows, Map<String, Long> jobsByState, String serverVersion, int serverMajor) {

  /** The tables whose rows are counted, in this order, when they exist. */
  private static final List<String> COUNTED = List.of("tenants", "users", "robots", "jobs", "schedules",
      "schedule_fires", "robot_logs", "queue_items", "assets", "webhooks", "maintenance_windows");

  public static SchemaSummary read(Connection connection, String schema) throws SQLException {
    String version;
    int major;
    try (Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT current_setting('server_version'), "
             + "current_setting('server_version_num')::int")) {
      row.next();
      version = row.getString(1);
      major = row.getInt(2) / 10_000;
    }
    Set<String> objects = new TreeSet<>();
    Set<String> tables = new TreeSet<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f') "
            + "UNION ALL SELECT p.proname, 'function' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            + "WHERE n.nspname = ? AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
            + "AND d.objid = p.oid AND d.deptype = 'e')")) {
      statement.setString(1, schema);
      statement.setString(2, schema);
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          objects.add(row.getString(1));
          if (row.getString(2).equals("r") || row.getString(2).equals("p")) {
            tables.add(row.getString(1));
          }
        }
      }
    }
    String phase = null;
    Long windowId = null;
    if (tables.contains("maintenance_state")) {
      try (Statement statement = connection.createStatement();
           ResultSet row = statement.executeQuery("SELECT phase, window_id FROM " + table(schema, "maintenance_state")
               + " WHERE id = 1")) {
        if (row.next()) {
          phase = row.getString(1);
          windowId = (Long) row.getObject(2);
        }
      }
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    for (String name : COUNTED) {
      if (tables.contains(name)) {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT count(*) FROM " + table(schema, name))) {
          row.next();
          rows.put(name, row.getLong(1));
        }
      }
    }
    Map<String, Long> jobsByState = new LinkedHashMap<>();
    if (tables.contains("jobs")) {
      try (Statement statement = connection.createStatement();
           ResultSet row = statement.executeQuery("SELECT state, count(*) FROM " + table(schema, "jobs")
               + " GROUP BY state ORDER BY state")) {
        while (row.next()) {
          jobsByState.put(row.getString(1), row.getLong(2));
        }
      }
    }
    return new SchemaSummary(schema, objects, phase, windowId, rows, jobsByState, version, major);
  }

  /** Whether the schema holds the orchestrator's tables (a Flyway history of one of its modules). */
  public boolean holdsOrchestrator() {
    return objects.stream().anyMatch(name -> name.startsWith("flyway_"));
  }

  /** Up to {@code limit} of the objects' names, for a refusal. */
  public String someObjects(int limit) {
    List<String> names = new ArrayList<>();
    objects.stream().filter(name -> name.startsWith("flyway_")).limit(limit).forEach(names::add);
    objects.stream().filter(name -> !name.startsWith("flyway_")).limit(limit - names.size()).forEach(names::add);
    return String.join(", ", names) + (objects.size() > names.size() ? ", ..." : "");
  }

  /** "phase Suspended (window 3); tenants 2, users 3, robots 1, jobs 4 (Pending 2, Successful 2), ..." */
  public String describe() {
    StringBuilder text = new StringBuilder();
    text.append("phase ").append(phase == null ? "unknown (no maintenance_state)" : phase);
    if (windowId != null && !"None".equals(phase)) {
      text.append(" (window ").append(windowId).append(')');
    }
    String separator = "; ";
    for (Map.Entry<String, Long> entry : rows.entrySet()) {
      text.append(separator).append(entry.getKey().replace('_', ' ')).append(' ').append(entry.getValue());
      separator = ", ";
      if (entry.getKey().equals("jobs") && !jobsByState.isEmpty()) {
        text.append(" (");
        String inner = "";
        for (Map.Entry<String, Long> state : jobsByState.entrySet()) {
          text.append(inner).append(state.getKey()).append(' ').append(state.getValue());
          inner = ", ";
        }
        text.append(')');
      }
    }
    return text.toString();
  }

  static String table(String schema, String name) {
    return quote(schema) + "." + quote(name);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
