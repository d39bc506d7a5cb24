package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.platform.testing.MutableClock;

/**
 * Exemptions (section 10), black-box over real HTTP: the payroll process of one tenant runs through
 * Draining (no Stop, its schedule fires and its new job is handed out and started) while everything
 * else drains; Preview, progress and metrics show it apart; Suspended refuses while it runs;
 * taking the exemption away while Draining sends Stop; the tenant's log lists the job that ran
 * exempt with the reason. Bad lists are refused whole and change nothing.
 */
@org.junit.jupiter.api.Timeout(300)
class ExemptionTest {

  private static final Instant START = Instant.parse("2026-09-30T09:00:30Z");
  private static final String PAYROLL = "Payroll month-end";
  private static final String INVOICES = "Invoices";

  private static MutableClock clock;
  private static DatabaseEndpoint database;
  private static Path dataDir;
  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture payroll;
  private static Tenants.Fixture other;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(START);
    database = TestDatabase.newSchema("exemptions");
    dataDir = Files.createTempDirectory("exemptions");
    node = TestNode.start(database, dataDir, clock);
    api = node.api();
    host = api.signInHostAdmin().await();
    payroll = Tenants.create(api, host, "payroll", 3).await();
    other = Tenants.create(api, host, "other", 1).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponse<Buffer> put(String token, Object body) {
    return api.request(HttpMethod.PUT, "/api/Maintenance/Exemptions", token)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString())).await();
  }

  private static JsonObject item(long tenant, String process, String reason) {
    return new JsonObject().put("tenantId", tenant).put("processName", process).put("reason", reason);
  }

  private static List<String> commands(Tenants.Robot robot) {
    JsonArray commands = robot.heartbeat().await();
    return commands.stream().map(c -> ((JsonObject) c).getString("type") + " " + ((JsonObject) c).getLong("jobId"))
        .toList();
  }

  @Test
  void badListsAreRefusedWholeAndChangeNothing() {
    JsonObject empty = Api.expect(api.get("/api/Maintenance/Exemptions", host).await(), 200).await();
    String before = empty.getJsonArray("items").encode();
    List<Object> bad = List.of(
        new JsonObject(),
        new JsonObject().put("items", "payroll"),
        new JsonObject().put("items", new JsonArray().add(item(999_999, PAYROLL, "no such tenant"))),
        new JsonObject().put("items", new JsonArray().add(item(payroll.id(), PAYROLL, ""))),
        new JsonObject().put("items", new JsonArray().add(item(payroll.id(), "pay\u0000roll", "NUL"))),
        new JsonObject().put("items", new JsonArray().add(item(payroll.id(), "x".repeat(129), "long"))),
        new JsonObject().put("items", new JsonArray().add(item(payroll.id(), PAYROLL, "r".repeat(501)))),
        new JsonObject().put("items", new JsonArray().add(item(payroll.id(), PAYROLL, "a")).add(item(payroll.id(), PAYROLL, "b"))),
        new JsonObject().put("items", new JsonArray().add(item(0, PAYROLL, "zero"))),
        "{\"items\":[{\"tenantId\":123456789012345678901234567890,\"processName\":\"p\",\"reason\":\"huge\"}]}",
        new JsonObject().put("items", new JsonArray().add(item(payroll.id(), PAYROLL, "x").put("extra", true))),
        "{\"items\": [",
        new JsonObject().put("items", new JsonArray(java.util.stream.IntStream.range(0, 1001)
            .mapToObj(i -> item(payroll.id(), "p" + i, "many")).toList())));
    for (Object body : bad) {
      HttpResponse<Buffer> refused = put(host, body);
      assertEquals(400, refused.statusCode(), body + " -> " + refused.bodyAsString());
      assertEquals("BAD_REQUEST", refused.bodyAsJsonObject().getString("code"), refused.bodyAsString());
    }
    // a tenant's administrator reads its own, and may not set any
    assertEquals(403, put(payroll.adminToken(), new JsonObject().put("items", new JsonArray())).statusCode());
    assertEquals(403, api.get("/api/Maintenance/Exemptions", payroll.robots().get(0).token()).await().statusCode());
    assertEquals(401, api.get("/api/Maintenance/Exemptions", null).await().statusCode());
    assertEquals(before, Api.expect(api.get("/api/Maintenance/Exemptions", host).await(), 200).await()
        .getJsonArray("items").encode(), "nothing changed");
  }

  @Test
  void thePayrollRunsThroughDrainingAndEndsAtSuspended() throws Exception {
    Tenants.Robot payrollRobot = payroll.robots().get(0);
    Tenants.Robot invoiceRobot = payroll.robots().get(1);
    Tenants.Robot idleRobot = payroll.robots().get(2);
    JsonObject set = Api.expect(put(host, new JsonObject().put("items", new JsonArray()
        .add(item(payroll.id(), PAYROLL, "month-end run must finish")))), 200).await();
    assertEquals(1, set.getJsonArray("items").size(), set.encode());
    assertEquals("admin", set.getString("setBy"), set.encode());
    assertTrue(set.getJsonArray("inEffect").isEmpty(), "no window yet: nothing in effect");
    // each tenant's administrator sees its own items only
    assertEquals(1, Api.expect(api.get("/api/Maintenance/Exemptions", payroll.adminToken()).await(), 200).await()
        .getJsonArray("items").size());
    assertEquals(0, Api.expect(api.get("/api/Maintenance/Exemptions", other.adminToken()).await(), 200).await()
        .getJsonArray("items").size());

    long payrollJob = payrollRobot.runJob(payroll.adminToken(), PAYROLL).await();
    long invoiceJob = invoiceRobot.runJob(payroll.adminToken(), INVOICES).await();
    for (String process : List.of(PAYROLL, INVOICES)) {
      Api.expect(api.post("/api/Schedules", payroll.adminToken(), new JsonObject().put("name", process)
          .put("processName", process).put("cron", "0 0 * * * ?")).await(), 201).await();
    }

    // the preview leaves the exempt job and fires out of what a drain would stop and skip
    JsonObject preview = Api.expect(api.get("/api/Maintenance/Preview?duration=PT2H", host).await(), 200).await();
    assertEquals(1L, preview.getLong("jobsToStop"), preview.encode());
    assertEquals(1L, preview.getLong("exemptRunning"), preview.encode());
    assertEquals(2L, preview.getLong("firesToSkipTotal"), "the invoices schedule's two fires only: " + preview.encode());

    Maintenance window = new Maintenance(api, host);
    window.start("phase=Draining&autoSuspend=true").await();
    assertEquals(List.of(), commands(payrollRobot), "no Stop for the exempt job");
    assertEquals(List.of("StopJob " + invoiceJob), commands(invoiceRobot));
    assertEquals(503, api.get("/api/Jobs", payroll.adminToken()).await().statusCode(), "the human interface is closed");
    JsonObject inEffect = Api.expect(api.get("/api/Maintenance/Exemptions", host).await(), 200).await();
    assertEquals(1, inEffect.getJsonArray("inEffect").size(), inEffect.encode());

    // the exempt schedule fires and its job is handed to the idle robot, which starts it; the other is skipped
    clock.set(Instant.parse("2026-09-30T10:00:00.500Z"));
    Pool pool = Pools.create(node.vertx(), database, 1);
    long firedJob;
    try {
      Eventually.until(node.vertx(), () -> pool.query("SELECT count(*) FROM schedule_fires WHERE outcome <> 'Pending'")
          .execute().map(rows -> rows.iterator().next().getLong(0)), n -> n == 2, 20_000).await();
      firedJob = pool.preparedQuery("SELECT job_id FROM schedule_fires f JOIN schedules s ON s.id = f.schedule_id "
          + "WHERE s.process_name = $1 AND f.outcome = 'Created'").execute(Tuple.of(PAYROLL)).await()
          .iterator().next().getLong(0);
      assertEquals(1L, pool.preparedQuery("SELECT count(*) FROM schedule_fires f JOIN schedules s ON s.id = f.schedule_id "
          + "WHERE s.process_name = $1 AND f.outcome = 'Skipped'").execute(Tuple.of(INVOICES)).await()
          .iterator().next().getLong(0));
    } finally {
      pool.close().await();
    }
    assertEquals(List.of("StartJob " + firedJob), commands(idleRobot), "an exempt job is handed out while Draining");
    Api.expect(idleRobot.report(firedJob, "Running").await(), 200).await();

    // progress and metrics show the exempt jobs apart; autoSuspend waits for them
    Api.expect(invoiceRobot.report(invoiceJob, "Stopped").await(), 200).await();
    JsonObject progress = Eventually.until(node.vertx(), () -> window.progress(),
        p -> p.getLong("remaining", -1L) == 0 && p.getLong("exemptRunning", -1L) == 2, 20_000).await();
    assertEquals(2L, progress.getJsonObject("exemptRunningByTenant").getLong(Long.toString(payroll.id())),
        progress.encode());
    Eventually.until(node.vertx(), () -> api.get("/metrics", null).map(r -> Scrape.parse(r.bodyAsString())
        .value("orchestrator_drain_exempt_running_jobs{tenant=\"" + payroll.id() + "\"}")), v -> v == 2.0, 20_000)
        .await();
    assertEquals("Draining", window.get(null).await().getString("state"), "autoSuspend waits for the exempt jobs");

    // Suspended ends exemptions: refused while they run, naming them
    HttpResponse<Buffer> refused = api.post("/api/Maintenance/Start?phase=Suspended", host, new JsonObject()).await();
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    JsonArray named = refused.bodyAsJsonObject().getJsonArray("jobs");
    assertEquals(2, named.size(), named.encode());
    assertTrue(named.stream().allMatch(job -> ((JsonObject) job).getBoolean("exempt")), named.encode());

    // the payroll job finishes on its own; the exemption is taken away: the fired job gets Stop
    Api.expect(payrollRobot.report(payrollJob, "Successful").await(), 200).await();
    Api.expect(put(host, new JsonObject().put("items", new JsonArray())), 200).await();
    assertEquals(List.of("StopJob " + firedJob), commands(idleRobot));
    Api.expect(idleRobot.report(firedJob, "Stopped").await(), 200).await();
    // drained now: autoSuspend moves on by itself
    Eventually.until(node.vertx(), () -> window.get(null).map(g -> g.getString("state")), "Suspended"::equals, 20_000)
        .await();

    window.end().await();
    JsonObject record = Api.expect(api.get("/api/Maintenance/History?tenantId=" + payroll.id(), host).await(), 200)
        .await().getJsonArray("items").getJsonObject(0);
    JsonArray exemptJobs = record.getJsonArray("exemptJobs");
    assertEquals(1, exemptJobs.size(), record.encode());
    assertEquals(payrollJob, exemptJobs.getJsonObject(0).getLong("id"));
    assertEquals("month-end run must finish", exemptJobs.getJsonObject(0).getString("reason"));
    assertTrue(record.getJsonArray("stoppedJobs").stream().anyMatch(id -> ((Number) id).longValue() == firedJob),
        "a job whose exemption ended mid-window was stopped: " + record.encode());
    assertTrue(record.getJsonArray("stoppedJobs").stream().anyMatch(id -> ((Number) id).longValue() == invoiceJob));
  }

  /** Exemptions end at Suspended: {@code killJobs} kills an exempt job too, and the window's record keeps it. */
  @Test
  void suspendedWithKillJobsKillsTheExemptJobsToo() {
    Tenants.Robot robot = payroll.robots().get(0);
    Api.expect(put(host, new JsonObject().put("items", new JsonArray()
        .add(item(payroll.id(), "Night batch", "must finish")))), 200).await();
    long job = robot.runJob(payroll.adminToken(), "Night batch").await();
    Maintenance window = new Maintenance(api, host);
    window.start("phase=Draining").await();
    assertEquals(List.of(), commands(robot), "exempt while Draining");
    window.start("phase=Suspended&killJobs=true").await();
    try {
      assertEquals("Suspended", window.get(null).await().getString("state"));
      JsonObject killed = Api.expect(api.get("/api/Jobs/" + job, payroll.adminToken()).await(), 503).await();
      assertEquals("MAINTENANCE", killed.getString("code"), "the console is closed; the job is read after End");
    } finally {
      window.end().await();
      Api.expect(put(host, new JsonObject().put("items", new JsonArray())), 200).await();
    }
    JsonObject after = Api.expect(api.get("/api/Jobs/" + job, payroll.adminToken()).await(), 200).await();
    assertEquals("Terminating", after.getString("state"), "Kill was sent to the exempt job at Suspended: " + after);
    assertEquals(List.of("KillJob " + job), commands(robot));
    Api.expect(robot.report(job, "Stopped").await(), 200).await();
  }
}
