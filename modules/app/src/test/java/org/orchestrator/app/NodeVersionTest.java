package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.BuildInfo;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * Every node says which release it runs (health, metrics, Get's list of live nodes), a node that
 * stops or dies leaves that list, and a node refuses to start on a schema newer than it knows.
 */
@Timeout(180)
class NodeVersionTest {

  private static DatabaseEndpoint database;
  private static Path keys;
  private static TestNode first;
  private static String host;

  @BeforeAll
  static void start() throws Exception {
    database = TestDatabase.newSchema("nodes");
    keys = Files.createTempDirectory("node-keys");
    first = TestNode.start(database, Files.createTempDirectory("node-a"), keys);
    host = first.api().signInHostAdmin().await();
  }

  @AfterAll
  static void stop() throws Exception {
    first.close();
  }

  @Test
  void healthAndMetricsNameTheBuild() {
    BuildInfo build = BuildInfo.current();
    assertFalse(build.version().equals("unknown"), "the build filled in the version");
    JsonObject ready = first.api().get("/health/ready", null).await().bodyAsJsonObject();
    assertEquals("UP", ready.getString("status"));
    assertEquals(build.version(), ready.getString("version"));
    assertEquals(build.commit(), ready.getString("commit"));
    JsonObject live = first.api().get("/health/live", null).await().bodyAsJsonObject();
    assertEquals(build.version(), live.getString("version"));
    String metrics = first.api().get("/metrics", null).await().bodyAsString();
    List<String> series = metrics.lines().filter(line -> line.startsWith("orchestrator_build_info")).toList();
    assertEquals(List.of("orchestrator_build_info{commit=\"" + build.commit() + "\",version=\"" + build.version()
        + "\"} 1"), series, "build info gauge in /metrics");
  }

  @Test
  void getListsTheLiveNodesAndForgetsTheOnesThatLeftOrDied() throws Exception {
    Maintenance maintenance = new Maintenance(first.api(), host);
    TestNode second = TestNode.start(database, Files.createTempDirectory("node-b"), keys);
    JsonArray nodes;
    try {
      nodes = maintenance.get(null).await().getJsonArray("nodes");
      assertEquals(2, nodes.size(), nodes.encode());
      for (Object node : nodes) {
        JsonObject one = (JsonObject) node;
        assertEquals(BuildInfo.current().version(), one.getString("version"));
        assertEquals(BuildInfo.current().commit(), one.getString("commit"));
        assertTrue(one.getString("host").contains("pid " + ProcessHandle.current().pid()), one.encode());
      }
      assertNotEquals(nodes.getJsonObject(0).getString("id"), nodes.getJsonObject(1).getString("id"));
    } finally {
      second.close();
    }
    // a node that stops leaves at once
    assertEquals(1, maintenance.get(null).await().getJsonArray("nodes").size());

    // a node that died is not listed once its heartbeat is 15 s old, and its row goes after a minute
    TestDatabase.execute(database, "INSERT INTO " + database.schema() + ".nodes (id, version, commit_id, host, started_at, last_seen_at) "
        + "VALUES ('quiet', '0.1.9', 'c1', 'gone (pid 1)', now() - interval '1 hour', now() - interval '20 seconds'), "
        + "('dead', '0.1.9', 'c1', 'gone (pid 2)', now() - interval '1 hour', now() - interval '2 minutes')");
    nodes = maintenance.get(null).await().getJsonArray("nodes");
    assertEquals(1, nodes.size(), nodes.encode());
    Eventually.until(first.vertx(), () -> first.vertx().executeBlocking(() -> count("id = 'dead'")), n -> n == 0,
        30_000).await();
    assertEquals(1, count("id = 'quiet'"), "a row seen 20 s ago is kept (its node may come back)");
  }

  @Test
  void aTenantAdministratorDoesNotSeeTheNodes() throws Exception {
    Tenants.Fixture tenant = Tenants.create(first.api(), host, "versions", 0).await();
    JsonObject own = first.api().get("/api/Maintenance/Get", tenant.adminToken()).await().bodyAsJsonObject();
    assertNull(own.getValue("nodes"));
    assertFalse(own.containsKey("nodes"));
  }

  @Test
  void aNodeRefusesASchemaNewerThanItKnowsWithOneLine() throws Exception {
    DatabaseEndpoint newer = TestDatabase.newSchema("newer");
    TestNode.start(newer, Files.createTempDirectory("node-old")).close();
    // what a newer release leaves behind: a migration this build has no script for
    TestDatabase.execute(newer, "SET search_path TO " + newer.schema() + "; INSERT INTO flyway_jobs (installed_rank, version, description, type, script, "
        + "checksum, installed_by, execution_time, success) SELECT max(installed_rank) + 1, '99999', 'from a newer "
        + "release', 'SQL', 'V99999__from_a_newer_release.sql', 0, 'test', 0, true FROM flyway_jobs");
    TestDatabase.execute(newer, "INSERT INTO " + newer.schema() + ".schema_releases (version, commit_id, migrated_at) "
        + "VALUES ('9.9.9', 'abcdef0123456789', now() + interval '1 second')");
    long histories = countIn(newer, "flyway_jobs", "true") + countIn(newer, "flyway_phase", "true");
    ServerProcess process = ServerProcess.start(Files.createTempDirectory("node-refused"), newer, 0);
    try {
      assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the node exits");
      assertEquals(1, process.exitValue());
      List<String> lines = Files.readAllLines(process.log()).stream()
          .filter(line -> line.contains("did not start")).toList();
      assertEquals(1, lines.size(), String.join("\n", Files.readAllLines(process.log())));
      String line = lines.get(0);
      assertTrue(line.contains("newer than this node knows: module jobs is at version 99999 (migrated by "
          + "orchestrator 9.9.9 (commit abcdef012345))"), line);
      assertTrue(line.contains("this node (" + BuildInfo.current().describe() + ") knows up to version 200"), line);
      assertFalse(Files.readString(process.log()).contains("\tat "), "no stack trace");
    } finally {
      process.close();
    }
    assertEquals(histories, countIn(newer, "flyway_jobs", "true") + countIn(newer, "flyway_phase", "true"),
        "nothing was migrated");
  }

  private static long count(String where) {
    return countIn(database, "nodes", where);
  }

  private static long countIn(DatabaseEndpoint endpoint, String table, String where) {
    try (java.sql.Connection connection = java.sql.DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(),
        endpoint.password()); java.sql.Statement statement = connection.createStatement();
         java.sql.ResultSet row = statement.executeQuery("SELECT count(*) FROM " + endpoint.schema() + "." + table
             + " WHERE " + where)) {
      row.next();
      return row.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
