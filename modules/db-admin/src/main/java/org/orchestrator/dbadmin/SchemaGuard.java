package org.orchestrator.dbadmin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.orchestrator.platform.BuildInfo;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * What a node may do with the schema it finds, decided before anything is migrated (decision 112):
 * <ul>
 *   <li>a schema newer than the node knows (a module's history holds a version this build has no
 *       script for) is refused: the node would run on tables it does not understand;</li>
 *   <li>a pending migration marked breaking (a line {@code -- breaking: <why>} among its leading
 *       comments: older nodes cannot run beside it) is applied only while the platform is Suspended
 *       and no other node is live; on a database with no orchestrator in it yet it is simply applied;</li>
 *   <li>everything else (compatible migrations) is applied while older nodes keep serving.</li>
 * </ul>
 */
public final class SchemaGuard {

  /** A line of a migration's leading comments that declares it breaking, and why. */
  private static final Pattern BREAKING = Pattern.compile("^--\\s*breaking:\\s*(.+)$");

  /** Seconds within which a node's heartbeat makes it live (as the phase module's NodePresence). */
  static final int LIVE_SECONDS = 15;

  /**
   * One module's schema against this build: what is applied, what the build knows, what is
   * pending ({@code pending}: scripts Flyway's migrate has to look at; 0 when the module is up to date).
   */
  record ModuleState(String module, String applied, String known, List<String> future,
      List<Breaking> breaking, int pending) {
  }

  /** A pending migration that older nodes cannot run beside. */
  record Breaking(String module, String version, String description, String why) {

    String describe() {
      return module + " V" + version + " (" + description + "): " + why;
    }
  }

  /** The platform as the guard sees it: the stored phase (null: no orchestrator here yet) and live nodes. */
  record Platform(String phase, List<String> liveNodes, String lastRelease) {
  }

  private SchemaGuard() {
  }

  static ModuleState inspect(String module, Flyway flyway) {
    String applied = null;
    MigrationVersion known = null;
    List<String> future = new ArrayList<>();
    List<Breaking> breaking = new ArrayList<>();
    int pending = 0;
    for (MigrationInfo info : flyway.info().all()) {
      MigrationState state = info.getState();
      if (info.getVersion() == null) {
        continue;
      }
      if (state == MigrationState.FUTURE_SUCCESS || state == MigrationState.FUTURE_FAILED) {
        future.add(info.getVersion().getVersion());
      } else if (info.getScript() != null && state != MigrationState.BASELINE) {
        if (known == null || info.getVersion().compareTo(known) > 0) {
          known = info.getVersion();
        }
      }
      if (state.isApplied() && state != MigrationState.BASELINE) {
        applied = info.getVersion().getVersion();
      }
      if (state == MigrationState.IGNORED || state == MigrationState.OUTDATED) {
        pending++; // not applied though older than the schema: Flyway's migrate says what is wrong
      }
      if (state == MigrationState.PENDING) {
        pending++;
        String why = breakingReason(module, info.getScript());
        if (why != null) {
          breaking.add(new Breaking(module, info.getVersion().getVersion(), info.getDescription(), why));
        }
      }
    }
    return new ModuleState(module, applied, known == null ? "none" : known.getVersion(), future, breaking, pending);
  }

  /** Throws a {@link StartupFailure} with one line if this node must not migrate nor run here. */
  static void check(List<ModuleState> modules, Platform platform, BuildInfo build) {
    for (ModuleState module : modules) {
      if (!module.future().isEmpty()) {
        String newest = module.future().get(module.future().size() - 1);
        throw new StartupFailure("the database's schema is newer than this node knows: module " + module.module()
            + " is at version " + newest + (platform.lastRelease() == null ? "" : " (migrated by "
                + platform.lastRelease() + ")") + ", this node (" + build.describe() + ") knows up to version "
            + module.known() + ". Start a node of that release or a newer one; this one would run on tables it "
            + "does not understand");
      }
    }
    List<Breaking> breaking = modules.stream().flatMap(module -> module.breaking().stream()).toList();
    if (breaking.isEmpty() || platform.phase() == null) {
      return;
    }
    String which = breaking.get(0).describe() + (breaking.size() > 1 ? " (and " + (breaking.size() - 1) + " more)"
        : "");
    if (!"Suspended".equals(platform.phase())) {
      throw new StartupFailure("this upgrade needs the platform Suspended: Start Draining, then Suspended "
          + "(the platform is " + platform.phase() + "; " + build.describe() + " brings a migration older nodes "
          + "cannot run beside: " + which + ")");
    }
    if (!platform.liveNodes().isEmpty()) {
      throw new StartupFailure("this upgrade needs every other node stopped first (" + build.describe()
          + " brings a migration older nodes cannot run beside: " + which + "); still running: "
          + String.join(", ", platform.liveNodes()));
    }
  }

  /** Reads the stored phase, the live nodes and the last release that migrated, where those tables exist. */
  static Platform platform(DatabaseEndpoint endpoint) {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(),
        endpoint.password())) {
      String phase = null;
      if (exists(connection, endpoint.schema(), "maintenance_state")) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT phase FROM "
            + table(endpoint.schema(), "maintenance_state") + " WHERE id = 1");
             ResultSet row = statement.executeQuery()) {
          phase = row.next() ? row.getString(1) : "None";
        }
      }
      List<String> live = new ArrayList<>();
      if (exists(connection, endpoint.schema(), "nodes")) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT id, version, host FROM "
            + table(endpoint.schema(), "nodes") + " WHERE last_seen_at > now() - make_interval(secs => ?) "
            + "ORDER BY started_at")) {
          statement.setInt(1, LIVE_SECONDS);
          try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
              live.add("node " + row.getString(1) + " (" + row.getString(2) + " on " + row.getString(3) + ")");
            }
          }
        }
      }
      String last = null;
      if (exists(connection, endpoint.schema(), "schema_releases")) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT version, commit_id FROM "
            + table(endpoint.schema(), "schema_releases") + " ORDER BY migrated_at DESC, version DESC LIMIT 1");
             ResultSet row = statement.executeQuery()) {
          if (row.next()) {
            last = new BuildInfo(row.getString(1), row.getString(2)).describe();
          }
        }
      }
      return new Platform(phase, live, last);
    } catch (SQLException e) {
      throw new StartupFailure("cannot read the database's maintenance phase before migrating: " + e.getMessage(), e);
    }
  }

  /** Records that {@code build} migrated the schema (once per release). */
  static void record(DatabaseEndpoint endpoint, BuildInfo build) {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(),
        endpoint.password());
         PreparedStatement statement = connection.prepareStatement("INSERT INTO "
             + table(endpoint.schema(), "schema_releases") + " (version, commit_id) VALUES (?, ?) "
             + "ON CONFLICT (version) DO UPDATE SET commit_id = EXCLUDED.commit_id, migrated_at = now()")) {
      statement.setString(1, build.version());
      statement.setString(2, build.commit());
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new StartupFailure("cannot record the release that migrated the schema: " + e.getMessage(), e);
    }
  }

  /** The reason a pending script gives for being breaking, or null when it is compatible. */
  static String breakingReason(String module, String script) {
    if (script == null) {
      return null;
    }
    // Flyway names a classpath script by its path under the location, or from the class path's root
    String path = script.startsWith("db/migration/") ? script : "db/migration/" + module + "/" + script;
    try (InputStream in = SchemaGuard.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        return null;
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
          continue;
        }
        if (!trimmed.startsWith("--")) {
          return null;
        }
        Matcher matcher = BREAKING.matcher(trimmed);
        if (matcher.matches()) {
          return matcher.group(1).strip();
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean exists(Connection connection, String schema, String table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      statement.setString(1, table(schema, table));
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  private static String table(String schema, String name) {
    return "\"" + schema.replace("\"", "\"\"") + "\".\"" + name + "\"";
  }
}
