package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.testing.MutableClock;

/**
 * Retention end to end: the policy's rules and bad input over HTTP, and a run that archives and
 * deletes exactly the rows its policies expire in the four tables, by day partition and row by row,
 * with each archived row in exactly one file and nothing of a tenant that keeps its rows touched.
 */
@Timeout(300)
class RetentionTest {

  private static DatabaseEndpoint database;
  private static Path dataDir;
  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture a;
  private static Tenants.Fixture b;
  private static Tenants.Fixture c;

  @BeforeAll
  static void start() throws Exception {
    database = TestDatabase.newSchema("retention");
    dataDir = Files.createTempDirectory("retention");
    node = TestNode.start(database, dataDir, new MutableClock(Instant.now()), (Path) null);
    api = node.api();
    host = api.signInHostAdmin().await();
    a = Tenants.create(api, host, "keeps-a", 1).await();
    b = Tenants.create(api, host, "keeps-b", 1).await();
    c = Tenants.create(api, host, "keeps-c", 1).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponse<Buffer> put(String query, String token, Object body) {
    return api.request(HttpMethod.PUT, "/api/Retention" + query, token)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body instanceof JsonObject json ? json.encode() : body.toString())).await();
  }

  private static JsonObject policy(String query, String token) {
    return Api.expect(api.get("/api/Retention" + query, token).await(), 200).await();
  }

  @Test
  void thePolicyHasDefaultsOverridesAndRefusesBadInputChangingNothing() {
    JsonObject hostPolicy = policy("", host);
    assertNull(hostPolicy.getValue("tenantId"));
    for (String field : List.of("robotLogsDays", "finishedJobsDays", "queueItemsDays", "webhookDeliveriesDays",
        "archive")) {
      assertTrue(hostPolicy.getJsonObject("effective").containsKey(field), field + " in " + hostPolicy);
    }

    JsonObject set = Api.expect(put("?tenantId=" + b.id(), host, new JsonObject().put("robotLogsDays", 7)
        .putNull("finishedJobsDays")), 200).await();
    assertEquals(new JsonObject().put("robotLogsDays", 7).putNull("finishedJobsDays"), set.getJsonObject("policy"));
    assertEquals(7, set.getJsonObject("effective").getInteger("robotLogsDays"));
    assertNull(set.getJsonObject("effective").getValue("finishedJobsDays"), "null: kept forever");
    assertEquals(hostPolicy.getJsonObject("effective").getValue("queueItemsDays"),
        set.getJsonObject("effective").getValue("queueItemsDays"), "not set: the host's");

    assertEquals(set, policy("", b.adminToken()), "a tenant administrator reads its own");
    assertEquals(403, api.get("/api/Retention?tenantId=" + a.id(), b.adminToken()).await().statusCode());
    assertEquals(403, put("", b.adminToken(), new JsonObject().put("robotLogsDays", 1)).statusCode());
    assertEquals(403, api.post("/api/Retention/Run", b.adminToken(), null).await().statusCode());
    assertEquals(403, api.get("/api/Retention/Runs", b.adminToken()).await().statusCode());
    assertEquals(403, api.get("/api/Retention", b.robots().get(0).token()).await().statusCode());

    JsonObject hostBefore = policy("", host);
    JsonObject tenantBefore = policy("?tenantId=" + b.id(), host);
    Map<String, HttpResponse<Buffer>> bad = new HashMap<>();
    bad.put("days 0", put("", host, new JsonObject().put("robotLogsDays", 0)));
    bad.put("days negative", put("", host, new JsonObject().put("finishedJobsDays", -1)));
    bad.put("days 3651", put("?tenantId=" + b.id(), host, new JsonObject().put("queueItemsDays", 3651)));
    bad.put("days beyond 64 bits", put("", host, "{\"robotLogsDays\": 99999999999999999999999}"));
    bad.put("days a string", put("", host, new JsonObject().put("robotLogsDays", "30")));
    bad.put("days a fraction", put("", host, new JsonObject().put("robotLogsDays", 1.5)));
    bad.put("archive a string", put("", host, new JsonObject().put("archive", "yes")));
    bad.put("unknown field", put("", host, new JsonObject().put("robotLogsDays", 5).put("logsDays", 5)));
    bad.put("NUL in a field name", put("", host, "{\"robotLogsDays\u0000\": 5}"));
    bad.put("not an object", put("", host, "[30]"));
    bad.put("no tenant of that id", put("?tenantId=987654", host, new JsonObject().put("robotLogsDays", 5)));
    bad.put("tenant id not a number", put("?tenantId=abc", host, new JsonObject().put("robotLogsDays", 5)));
    bad.put("tenant id zero", put("?tenantId=0", host, new JsonObject().put("robotLogsDays", 5)));
    bad.put("read: no tenant of that id", api.get("/api/Retention?tenantId=987654", host).await());
    bad.forEach((name, response) -> {
      assertEquals(400, response.statusCode(), name + ": " + response.bodyAsString());
      assertTrue(response.getHeader("Content-Type").startsWith("application/json"), name);
      assertTrue(response.bodyAsJsonObject().containsKey("message"), name);
    });
    assertEquals(hostBefore, policy("", host), "nothing changed");
    assertEquals(tenantBefore, policy("?tenantId=" + b.id(), host), "nothing changed");
    // back to the host's policy for the run test
    Api.expect(put("?tenantId=" + b.id(), host, new JsonObject()), 200).await();
  }

  @Test
  void aRunArchivesAndDeletesExactlyWhatThePoliciesExpire() throws Exception {
    // host: logs 2 days, the rest 5, archived; b: not archived; c: logs 4 days. So everyone's
    // robot logs are expired only on days ending 4 days ago: those partitions are dropped
    Api.expect(put("", host, new JsonObject().put("robotLogsDays", 2).put("finishedJobsDays", 5)
        .put("queueItemsDays", 5).put("webhookDeliveriesDays", 5).put("archive", true)), 200).await();
    Api.expect(put("?tenantId=" + a.id(), host, new JsonObject()), 200).await();
    Api.expect(put("?tenantId=" + b.id(), host, new JsonObject().put("archive", false)), 200).await();
    Api.expect(put("?tenantId=" + c.id(), host, new JsonObject().put("robotLogsDays", 4)), 200).await();

    LocalDate today = sqlDate();
    for (int back = 10; back >= 1; back--) {
      LocalDate day = today.minusDays(back);
      sql("CREATE TABLE IF NOT EXISTS robot_logs_p" + day.toString().replace("-", "") + " PARTITION OF robot_logs "
          + "FOR VALUES FROM ('" + day + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')");
    }
    Map<Long, Set<String>> expiredLogs = new HashMap<>();
    Map<Long, Set<String>> expiredJobs = new HashMap<>();
    Map<Long, Set<String>> expiredItems = new HashMap<>();
    Map<Long, Set<String>> expiredDeliveries = new HashMap<>();
    for (Tenants.Fixture tenant : List.of(a, b, c)) {
      long t = tenant.id();
      long robot = tenant.robots().get(0).id();
      // 5 days ago: past everyone's retention (its partition is dropped); 3 days ago: past the host's
      // 2 days, not c's 4; now: kept by all
      Set<String> fiveDays = ids("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp, "
          + "received_at) SELECT " + t + ", " + robot + ", 1, 'Info', 'five days ago ' || g, now(), "
          + "(current_date - 5) + time '12:00' FROM generate_series(1, 300) g RETURNING id");
      Set<String> threeDays = ids("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp, "
          + "received_at) SELECT " + t + ", " + robot + ", 1, 'Info', 'three days ago ' || g, now(), "
          + "now() - interval '3 days' FROM generate_series(1, 300) g RETURNING id");
      ids("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp) SELECT " + t + ", "
          + robot + ", 1, 'Info', 'now ' || g, now() FROM generate_series(1, 50) g RETURNING id");
      Set<String> logs = new TreeSet<>(fiveDays);
      if (tenant != c) {
        logs.addAll(threeDays);
      }
      expiredLogs.put(t, logs);
      expiredJobs.put(t, ids("INSERT INTO jobs (tenant_id, process_name, state, created_at, ended_at) SELECT " + t
          + ", 'old', (ARRAY['Successful', 'Faulted', 'Stopped'])[1 + g % 3], now() - interval '11 days', "
          + "now() - interval '10 days' FROM generate_series(1, 200) g RETURNING id"));
      ids("INSERT INTO jobs (tenant_id, process_name, state, created_at, ended_at) SELECT " + t + ", 'recent', "
          + "'Successful', now() - interval '2 days', now() - interval '1 day' FROM generate_series(1, 20) g RETURNING id");
      ids("INSERT INTO jobs (tenant_id, process_name, state, created_at) SELECT " + t + ", 'running for long', "
          + "'Pending', now() - interval '30 days' FROM generate_series(1, 5) g RETURNING id");
      expiredItems.put(t, ids("INSERT INTO queue_items (tenant_id, queue_name, reference, payload, robot_id, status, "
          + "created_at, ended_at) SELECT " + t + ", 'q', 'old-' || g, '{\"n\": 1}', " + robot + ", "
          + "(ARRAY['Successful', 'Failed'])[1 + g % 2], now() - interval '20 days', now() - interval '10 days' "
          + "FROM generate_series(1, 150) g RETURNING id"));
      ids("INSERT INTO queue_items (tenant_id, queue_name, reference, payload, robot_id, created_at) SELECT " + t
          + ", 'q', 'new-' || g, '{}', " + robot + ", now() - interval '20 days' FROM generate_series(1, 10) g "
          + "RETURNING id");
      long webhook = Long.parseLong(ids("INSERT INTO webhooks (tenant_id, url, secret, events, created_by) VALUES ("
          + t + ", 'http://127.0.0.1:9/hook', 'secret-secret-secret', ARRAY['maintenance.ended'], 'test') "
          + "RETURNING id").iterator().next());
      expiredDeliveries.put(t, ids("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event, event_id, body, "
          + "created_at, state, attempts, next_attempt_at, delivered_at, settled_at) SELECT gen_random_uuid(), "
          + webhook + ", " + t + ", 'maintenance.ended', g, '{}', now() - interval '10 days', 'Delivered', 1, "
          + "now() - interval '10 days', now() - interval '10 days', now() - interval '10 days' "
          + "FROM generate_series(1, 40) g RETURNING id"));
      ids("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event, event_id, body, created_at, state, "
          + "next_attempt_at) SELECT gen_random_uuid(), " + webhook + ", " + t + ", 'maintenance.ended', 1000 + g, "
          + "'{}', now() - interval '10 days', 'Pending', now() FROM generate_series(1, 5) g RETURNING id");
    }
    Map<String, Long> before = counts();

    long runId = startRun();
    JsonObject run = awaitRun(runId);
    assertEquals("Succeeded", run.getString("outcome"), run.encode());
    assertEquals("Manual", run.getString("trigger"));
    assertTrue(run.getLong("partitionsDropped") >= 6, "days 10 to 5 ago dropped whole: " + run.encode());

    // what is left: everything not expired
    Map<String, Long> after = counts();
    long expiredLogCount = expiredLogs.values().stream().mapToLong(Set::size).sum();
    assertEquals(before.get("robot_logs") - expiredLogCount, after.get("robot_logs"), "robot logs left");
    assertEquals(before.get("jobs") - 600, after.get("jobs"), "jobs left: recent and unfinished ones");
    assertEquals(before.get("queue_items") - 450, after.get("queue_items"), "queue items left");
    assertEquals(before.get("webhook_deliveries") - 120, after.get("webhook_deliveries"), "deliveries left");
    for (Tenants.Fixture tenant : List.of(a, b, c)) {
      assertEquals(0, count("SELECT count(*) FROM robot_logs WHERE tenant_id = " + tenant.id() + " AND id IN ("
          + String.join(",", expiredLogs.get(tenant.id())) + ")"), "no expired log line left");
    }
    assertEquals(300, count("SELECT count(*) FROM robot_logs WHERE tenant_id = " + c.id()
        + " AND message LIKE 'three days ago%'"), "c keeps 4 days");
    assertEquals(15, count("SELECT count(*) FROM jobs WHERE state = 'Pending'"), "an unfinished job is never deleted");

    // the archive: a's and c's rows, each in exactly one file; nothing of b (not archived)
    Path archive = dataDir.resolve("archive");
    assertFalse(Files.exists(archive.resolve(Long.toString(b.id()))), "b does not archive");
    for (Tenants.Fixture tenant : List.of(a, c)) {
      assertEquals(expiredLogs.get(tenant.id()), archived(archive, tenant.id(), "robot_logs"), tenant.name());
      assertEquals(expiredJobs.get(tenant.id()), archived(archive, tenant.id(), "jobs"), tenant.name());
      assertEquals(expiredItems.get(tenant.id()), archived(archive, tenant.id(), "queue_items"), tenant.name());
      assertEquals(expiredDeliveries.get(tenant.id()), archived(archive, tenant.id(), "webhook_deliveries"),
          tenant.name());
    }
    JsonObject line = firstLine(archive.resolve(a.id() + "/robot_logs"));
    assertTrue(line.getString("message").startsWith("five days ago") || line.getString("message").startsWith("three"),
        "every column of the row: " + line);
    assertEquals(a.id(), line.getLong("tenant_id"));

    // the run's counts: what it archived and deleted per tenant and table
    Map<String, JsonObject> counts = new HashMap<>();
    run.getJsonArray("counts").forEach(entry -> counts.put(((JsonObject) entry).getLong("tenantId") + "/"
        + ((JsonObject) entry).getString("table"), (JsonObject) entry));
    assertEquals(600L, counts.get(a.id() + "/robot_logs").getLong("archived"));
    assertEquals(600L, counts.get(a.id() + "/robot_logs").getLong("deleted"));
    assertEquals(0L, counts.get(b.id() + "/jobs").getLong("archived"));
    assertEquals(200L, counts.get(b.id() + "/jobs").getLong("deleted"));
    assertEquals(40L, counts.get(c.id() + "/webhook_deliveries").getLong("archived"));
    assertTrue(run.getLong("bytesWritten") > 0 && run.getLong("filesWritten") >= 8, run.encode());

    // a second run finds nothing more and writes nothing twice
    long files;
    try (var walk = Files.walk(archive)) {
      files = walk.filter(Files::isRegularFile).count();
    }
    JsonObject second = awaitRun(startRun());
    assertEquals("Succeeded", second.getString("outcome"));
    assertEquals(0, second.getLong("filesWritten"));
    try (var walk = Files.walk(archive)) {
      assertEquals(files, walk.filter(Files::isRegularFile).count());
    }
    assertEquals(after, counts());
  }

  @Test
  void aRunThatCannotWriteItsArchiveFailsAndDeletesNothing() throws Exception {
    Tenants.Fixture d = Tenants.create(api, host, "keeps-d", 0).await();
    Set<String> old = ids("INSERT INTO jobs (tenant_id, process_name, state, created_at, ended_at) SELECT " + d.id()
        + ", 'old', 'Successful', now() - interval '400 days', now() - interval '399 days' "
        + "FROM generate_series(1, 30) g RETURNING id");
    // where the tenant's folder should go, a file: the archive cannot be written
    Path blocked = dataDir.resolve("archive").resolve(Long.toString(d.id()));
    Files.createDirectories(blocked.getParent());
    Files.writeString(blocked, "not a folder");
    try {
      JsonObject failed = awaitRun(startRun());
      assertEquals("Failed", failed.getString("outcome"), failed.encode());
      assertTrue(failed.getString("error") != null && !failed.getString("error").isBlank(), failed.encode());
      assertEquals(30, count("SELECT count(*) FROM jobs WHERE tenant_id = " + d.id()), "nothing unarchived deleted");
    } finally {
      Files.delete(blocked);
    }
    JsonObject next = awaitRun(startRun());
    assertEquals("Succeeded", next.getString("outcome"), next.encode());
    assertEquals(0, count("SELECT count(*) FROM jobs WHERE tenant_id = " + d.id()));
    assertEquals(old, archived(dataDir.resolve("archive"), d.id(), "jobs"), "the next run archived them");
  }

  @Test
  void aRunKeepsToItsPace() throws Exception {
    // retention.maxRowsPerSecond as shipped (2,000): 26,000 expired rows of a tenant that does not
    // archive, 26 statements of 1,000 (batchRows) with a pause of 0.5 s after each: the last rows are
    // gone after 25 pauses, 12.5 s, where the database alone takes a fraction of one (timers round
    // down to the millisecond: 12.4 s is the bound). A lower
    // bound only: a slow machine makes the run longer, never shorter. And the run, asked for over
    // HTTP, outlives its request's deadline (10 s): none of its bus requests may inherit it
    Tenants.Fixture e = Tenants.create(api, host, "keeps-e", 0).await();
    Api.expect(put("?tenantId=" + e.id(), host, new JsonObject().put("archive", false)
        .put("finishedJobsDays", 1)), 200).await();
    ids("INSERT INTO jobs (tenant_id, process_name, state, created_at, ended_at) SELECT " + e.id() + ", 'old', "
        + "'Successful', now() - interval '9 days', now() - interval '8 days' FROM generate_series(1, 26000) g "
        + "RETURNING id");
    long asked = System.nanoTime();
    long runId = startRun();
    // the run's own times come from the node's (mutable) clock: the rows still there tell the time
    Eventually.until(node.vertx(), () -> node.vertx().executeBlocking(
        () -> count("SELECT count(*) FROM jobs WHERE tenant_id = " + e.id())), left -> left == 0, 120_000).await();
    double seconds = (System.nanoTime() - asked) / 1e9;
    JsonObject run = awaitRun(runId);
    assertEquals("Succeeded", run.getString("outcome"), run.encode());
    assertTrue(seconds >= 12.4, "26,000 rows at 2,000 a second: " + seconds + " s");
  }

  private static long startRun() {
    HttpResponse<Buffer> started = api.post("/api/Retention/Run", host, null).await();
    assertEquals(202, started.statusCode(), started.bodyAsString());
    return started.bodyAsJsonObject().getLong("runId");
  }

  /** The run once it ended, from GET /api/Retention/Runs. */
  static JsonObject awaitRun(long runId) {
    return Eventually.until(node.vertx(), () -> api.get("/api/Retention/Runs?size=50", host)
            .compose(response -> Api.expect(response, 200))
            .map(page -> page.getJsonArray("items").stream().map(JsonObject.class::cast)
                .filter(run -> run.getLong("id") == runId).findFirst().orElse(new JsonObject())),
        run -> run.getString("endedAt") != null, 120_000).await();
  }

  /** The keys of every line of a tenant's files of a table. */
  static Set<String> archived(Path archive, long tenantId, String table) throws IOException {
    Set<String> keys = new TreeSet<>();
    Path folder = archive.resolve(tenantId + "/" + table);
    if (!Files.isDirectory(folder)) {
      return keys;
    }
    try (var files = Files.list(folder)) {
      for (Path file : files.sorted().toList()) {
        assertTrue(file.getFileName().toString().matches("\\d{4}-\\d{2}-\\d{2}(-\\d+)?\\.jsonl\\.gz"), file.toString());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
            new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
          for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            String key = new JsonObject(line).getValue("id").toString();
            assertTrue(keys.add(key), "a row in two lines or files: " + table + " " + key);
          }
        }
      }
    }
    return keys;
  }

  private static JsonObject firstLine(Path folder) throws IOException {
    try (var files = Files.list(folder)) {
      Path file = files.sorted().findFirst().orElseThrow();
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(
          new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
        return new JsonObject(reader.readLine());
      }
    }
  }

  private static Map<String, Long> counts() throws SQLException {
    Map<String, Long> counts = new HashMap<>();
    for (String table : List.of("robot_logs", "jobs", "queue_items", "webhook_deliveries")) {
      counts.put(table, count("SELECT count(*) FROM " + table));
    }
    return counts;
  }

  private static LocalDate sqlDate() throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT (now() AT TIME ZONE 'UTC')::date")) {
      rows.next();
      return rows.getObject(1, LocalDate.class);
    }
  }

  static long count(String query) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static Set<String> ids(String insert) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(insert)) {
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
    }
    return ids;
  }

  private static void sql(String sql) throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static Connection connect() throws SQLException {
    Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET search_path TO " + database.schema());
      statement.execute("SET TIME ZONE 'UTC'");
    }
    return connection;
  }
}
