package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * {@code kill -9} in the middle of retention runs, four times, at a later point of the run each
 * time (after 1, 4, 9 and 16 more archive files): after the restart and a run that ends, every
 * expired row is in exactly one archive file and no longer in its table, every row that had not
 * expired is still there, and no temporary file is left. Both ways rows leave are crossed: a day
 * partition of robot logs archived then dropped, and jobs and queue items archived then deleted
 * in batches.
 */
@Timeout(600)
class RetentionCrashTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void killedRunsLoseNoRowAndArchiveNoneTwice() throws Exception {
    DatabaseEndpoint database = TestDatabase.newSchema("retention_crash");
    Path dataDir = Files.createTempDirectory("retention-crash");
    Path archive = dataDir.resolve("archive");
    int port = ServerProcess.freePort();
    // small statements and files, so that a kill lands between many of them; the pace as it was
    // when this test was written (the shipped 2,000 would only make each run five times longer)
    String small = "retention:\n  batchRows: 100\n  fileRows: 300\n  maxRowsPerSecond: 10000\n";
    ServerProcess server = ServerProcess.start(dataDir, database, port, -1, small);
    Api api = new Api(vertx, port);
    try {
      ServerProcess.awaitReady(vertx, api);
      String host = api.signInHostAdmin().await();
      long t1 = api.createTenant(host, "crash-one").await();
      long t2 = api.createTenant(host, "crash-two").await();
      // the default policy: logs 30 days, jobs 90, queue items 45, archived
      Map<String, Set<String>> expired = new TreeMap<>();
      try (Connection db = connect(database)) {
        String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(40).toString().replace("-", "");
        execute(db, "CREATE TABLE robot_logs_p" + day + " PARTITION OF robot_logs FOR VALUES FROM "
            + "((current_date - 40)::timestamptz) TO ((current_date - 39)::timestamptz)");
        for (long tenant : List.of(t1, t2)) {
          expired.computeIfAbsent("robot_logs", k -> new HashSet<>()).addAll(ids(db, "INSERT INTO robot_logs "
              + "(tenant_id, robot_id, job_id, level, message, time_stamp, received_at) SELECT " + tenant
              + ", 1, 1, 'Info', 'line ' || g, now(), (current_date - 40) + time '06:00' + g * interval '1 second' "
              + "FROM generate_series(1, 6000) g RETURNING id"));
          expired.computeIfAbsent("jobs", k -> new HashSet<>()).addAll(ids(db, "INSERT INTO jobs (tenant_id, "
              + "process_name, state, created_at, ended_at) SELECT " + tenant + ", 'p', 'Successful', "
              + "now() - interval '101 days', now() - interval '100 days' FROM generate_series(1, 1500) g RETURNING id"));
          expired.computeIfAbsent("queue_items", k -> new HashSet<>()).addAll(ids(db, "INSERT INTO queue_items "
              + "(tenant_id, queue_name, reference, payload, robot_id, status, created_at, ended_at) SELECT " + tenant
              + ", 'q', 'r' || g, '{}', 1, 'Failed', now() - interval '60 days', now() - interval '50 days' "
              + "FROM generate_series(1, 900) g RETURNING id"));
          // kept: recent rows of every table
          execute(db, "INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp) SELECT "
              + tenant + ", 1, 1, 'Info', 'recent', now() FROM generate_series(1, 100) g");
          execute(db, "INSERT INTO jobs (tenant_id, process_name, state, created_at, ended_at) SELECT " + tenant
              + ", 'p', 'Faulted', now() - interval '2 days', now() - interval '1 day' FROM generate_series(1, 100) g");
        }
      }
      Map<String, Long> kept = Map.of("robot_logs", 200L, "jobs", 200L, "queue_items", 0L);

      for (int crash = 1; crash <= 4; crash++) {
        long filesBefore = files(archive);
        HttpResponse<Buffer> started = api.post("/api/Retention/Run", host, null).await();
        assertEquals(202, started.statusCode(), started.bodyAsString());
        long target = filesBefore + (long) crash * crash;
        // wait for the run to have written that many more files (or ended), then kill it
        Eventually.until(vertx, () -> vertx.executeBlocking(() -> files(archive)), n -> n >= target, 60_000)
            .otherwise(0L).await();
        server.kill();
        server = ServerProcess.start(dataDir, database, port, -1, small);
        ServerProcess.awaitReady(vertx, api);
        host = api.signInHostAdmin().await();
      }
      HttpResponse<Buffer> last = api.post("/api/Retention/Run", host, null).await();
      long runId = last.bodyAsJsonObject().getLong("runId");
      String token = host;
      JsonObject run = Eventually.until(vertx, () -> api.get("/api/Retention/Runs", token)
              .compose(response -> Api.expect(response, 200))
              .map(page -> page.getJsonArray("items").stream().map(JsonObject.class::cast)
                  .filter(r -> r.getLong("id") == runId).findFirst().orElse(new JsonObject())),
          r -> r.getString("endedAt") != null, 120_000).await();
      assertEquals("Succeeded", run.getString("outcome"), run.encode());

      try (Connection db = connect(database)) {
        for (Map.Entry<String, Set<String>> table : expired.entrySet()) {
          Set<String> archived = new HashSet<>();
          for (long tenant : List.of(t1, t2)) {
            archived.addAll(RetentionTest.archived(archive, tenant, table.getKey()));
          }
          assertEquals(table.getValue(), archived, table.getKey() + ": every expired row in exactly one file");
          assertEquals(kept.get(table.getKey()), count(db, "SELECT count(*) FROM " + table.getKey()),
              table.getKey() + ": only the rows that had not expired are left");
        }
      }
      try (var walk = Files.walk(archive)) {
        assertEquals(List.of(), walk.filter(p -> p.toString().endsWith(".tmp")).toList(), "no temporary file left");
      }
      String listed = api.get("/api/Retention/Runs", host).await().bodyAsString();
      assertTrue(listed.contains("Interrupted"), "the killed runs are shown Interrupted: " + listed);
    } finally {
      server.close();
    }
  }

  private static long files(Path archive) throws IOException {
    if (!Files.isDirectory(archive)) {
      return 0;
    }
    try (var walk = Files.walk(archive)) {
      return walk.filter(p -> p.toString().endsWith(".jsonl.gz")).count();
    }
  }

  private static Connection connect(DatabaseEndpoint database) throws SQLException {
    Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    execute(connection, "SET search_path TO " + database.schema());
    execute(connection, "SET TIME ZONE 'UTC'");
    return connection;
  }

  private static void execute(Connection db, String sql) throws SQLException {
    try (Statement statement = db.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long count(Connection db, String query) throws SQLException {
    try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static Set<String> ids(Connection db, String insert) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(insert)) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }
}
