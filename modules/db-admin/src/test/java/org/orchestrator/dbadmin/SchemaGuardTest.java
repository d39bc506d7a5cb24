package org.orchestrator.dbadmin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.BuildInfo;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * A breaking migration (test module {@code guard-breaking}: V2 drops a column V1's nodes read) is
 * applied only while the platform is Suspended with no other node live; a compatible one any time.
 */
class SchemaGuardTest {

  private static final List<String> MODULE = List.of("guard-breaking");
  private static final BuildInfo NEXT = new BuildInfo("0.3.0", "0123456789abcdef");

  @Test
  void aBreakingMigrationWaitsForSuspendedAndForTheOtherNodesToStop() throws Exception {
    DatabaseEndpoint endpoint = previousRelease("breaking");
    // a platform in service: refused, nothing applied
    execute(endpoint, "CREATE TABLE maintenance_state (id int PRIMARY KEY, phase text NOT NULL)");
    execute(endpoint, "INSERT INTO maintenance_state VALUES (1, 'None')");
    StartupFailure refused = assertThrows(StartupFailure.class, () -> Migrations.apply(endpoint, MODULE, NEXT));
    assertTrue(refused.getMessage().startsWith("this upgrade needs the platform Suspended: Start Draining, then "
        + "Suspended (the platform is None; orchestrator 0.3.0 (commit 0123456789ab) brings a migration older "
        + "nodes cannot run beside: guard-breaking V2 (drop legacy name): drops guard_accounts.legacy_name, which "
        + "nodes of the previous release read)"), refused.getMessage());
    assertEquals("1", applied(endpoint));
    assertEquals(0, count(endpoint, "schema_releases"), "the refused node recorded nothing");

    execute(endpoint, "UPDATE maintenance_state SET phase = 'Draining'");
    assertTrue(assertThrows(StartupFailure.class, () -> Migrations.apply(endpoint, MODULE, NEXT)).getMessage()
        .contains("the platform is Draining"));
    assertEquals("1", applied(endpoint));

    // Suspended, but a node of the previous release still beats
    execute(endpoint, "UPDATE maintenance_state SET phase = 'Suspended'");
    execute(endpoint, "CREATE TABLE nodes (id text PRIMARY KEY, version text, commit_id text, host text, "
        + "started_at timestamptz DEFAULT now(), last_seen_at timestamptz DEFAULT now())");
    execute(endpoint, "INSERT INTO nodes (id, version, commit_id, host) VALUES ('a1', '0.2.0', 'c', 'web-1 (pid 7)')");
    String running = assertThrows(StartupFailure.class, () -> Migrations.apply(endpoint, MODULE, NEXT)).getMessage();
    assertTrue(running.startsWith("this upgrade needs every other node stopped first"), running);
    assertTrue(running.endsWith("still running: node a1 (0.2.0 on web-1 (pid 7))"), running);
    assertEquals("1", applied(endpoint));

    // that node stopped (its row is gone, or its heartbeat is older than 15 s): applied
    execute(endpoint, "UPDATE nodes SET last_seen_at = now() - interval '16 seconds'");
    Migrations.apply(endpoint, MODULE, NEXT);
    assertEquals("2", applied(endpoint));
    assertEquals(1, count(endpoint, "schema_releases"));
    // and a second node of the same release starts without asking again
    execute(endpoint, "UPDATE maintenance_state SET phase = 'None'");
    Migrations.apply(endpoint, MODULE, NEXT);
  }

  @Test
  void aNewDatabaseTakesBreakingMigrationsAtOnce() throws Exception {
    DatabaseEndpoint endpoint = TestDatabase.newSchema("guard_new");
    Migrations.apply(endpoint, MODULE, NEXT);
    assertEquals("2", applied(endpoint));
  }

  @Test
  void onlyALeadingCommentDeclaresAMigrationBreaking() {
    assertEquals("drops guard_accounts.legacy_name, which nodes of the previous release read",
        SchemaGuard.breakingReason("guard-breaking", "V2__drop_legacy_name.sql"));
    assertNull(SchemaGuard.breakingReason("guard-breaking", "V1__accounts.sql"));
    assertNull(SchemaGuard.breakingReason("guard-breaking", "V9__absent.sql"));
  }

  /** A schema at the test module's V1, as the release before {@link #NEXT} left it. */
  private static DatabaseEndpoint previousRelease(String label) {
    DatabaseEndpoint endpoint = TestDatabase.newSchema("guard_" + label);
    Flyway.configure(SchemaGuardTest.class.getClassLoader())
        .dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
        .schemas(endpoint.schema()).locations("classpath:db/migration/guard-breaking")
        .table("flyway_guard_breaking").baselineOnMigrate(true).baselineVersion("0").target("1")
        .load().migrate();
    return endpoint;
  }

  private static String applied(DatabaseEndpoint endpoint) throws Exception {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT max(version::int) FROM " + endpoint.schema()
             + ".flyway_guard_breaking WHERE success AND version <> '0'")) {
      row.next();
      return row.getString(1);
    }
  }

  private static long count(DatabaseEndpoint endpoint, String table) throws Exception {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT to_regclass('" + endpoint.schema() + "." + table + "') IS NULL")) {
      row.next();
      if (row.getBoolean(1)) {
        return 0;
      }
    }
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
         Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT count(*) FROM " + endpoint.schema() + "." + table)) {
      row.next();
      return row.getLong(1);
    }
  }

  /** Runs {@code sql} with the test's schema first on the search path (the JDBC URL names no schema). */
  private static void execute(DatabaseEndpoint endpoint, String sql) {
    TestDatabase.execute(endpoint, "SET search_path TO " + endpoint.schema() + "; " + sql);
  }
}
