package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
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
 * Per-tenant maintenance: {@code Start?tenantId=} drains and suspends one tenant (its jobs stop,
 * its schedules skip, its users and then its robots meet the gate) while the other tenant works on
 * untouched; the window has its own log; it survives a restart; the platform's window covers every
 * tenant on top; {@code End?tenantId=} gives the tenant back. The calls without tenantId are
 * UiPath's and answer as before.
 */
@org.junit.jupiter.api.Timeout(300)
class TenantMaintenanceTest {

  private static final Instant START = Instant.parse("2026-08-03T09:00:30Z");

  private static MutableClock clock;
  private static DatabaseEndpoint database;
  private static Path dataDir;
  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture moving;
  private static Tenants.Fixture working;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(START);
    database = TestDatabase.newSchema("tenant_windows");
    dataDir = Files.createTempDirectory("tenant-windows");
    node = TestNode.start(database, dataDir, clock);
    api = node.api();
    host = api.signInHostAdmin().await();
    moving = Tenants.create(api, host, "moving", 1).await();
    working = Tenants.create(api, host, "working", 1).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponse<Buffer> hostPost(String path) {
    return api.post(path, host, new JsonObject()).await();
  }

  private static List<String> commands(Tenants.Robot robot) {
    JsonArray commands = robot.heartbeat().await();
    return commands.stream().map(c -> ((JsonObject) c).getString("type") + " " + ((JsonObject) c).getLong("jobId"))
        .toList();
  }

  private static JsonObject schedule(Tenants.Fixture tenant) {
    return Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", "hourly")
        .put("processName", "report").put("cron", "0 0 * * * ?")).await(), 201).await();
  }

  @Test
  void oneTenantDrainsAndSuspendsWhileTheOtherWorksOn() throws Exception {
    Tenants.Robot movingRobot = moving.robots().get(0);
    Tenants.Robot workingRobot = working.robots().get(0);
    long movingJob = movingRobot.runJob(moving.adminToken()).await();
    long workingJob = workingRobot.runJob(working.adminToken()).await();
    schedule(moving);
    schedule(working);

    // the preview of its window counts its jobs and fires only; the platform's counts both tenants'
    JsonObject preview = Api.expect(api.get("/api/Maintenance/Preview?duration=PT2H&tenantId=" + moving.id(), host)
        .await(), 200).await();
    assertEquals(1L, preview.getLong("jobsToStop"), preview.encode());
    assertEquals(2L, preview.getLong("firesToSkipTotal"), preview.encode());
    assertEquals(List.of(String.valueOf(moving.id())), List.copyOf(preview.getJsonObject("firesToSkipByTenant").fieldNames()));
    assertEquals(2L, Api.expect(api.get("/api/Maintenance/Preview?duration=PT2H", host).await(), 200).await()
        .getLong("jobsToStop"));
    assertEquals(204, hostPost("/api/Maintenance/Start?phase=Draining&tenantId=" + moving.id()
        + "&reason=database%20move").statusCode());
    // its running job gets Stop; the other tenant's does not
    assertEquals(List.of("StopJob " + movingJob), commands(movingRobot));
    assertEquals(List.of(), commands(workingRobot));
    // its people meet the gate, the other tenant's do not
    HttpResponse<Buffer> refused = api.get("/api/Jobs", moving.adminToken()).await();
    assertEquals(503, refused.statusCode(), refused.bodyAsString());
    assertEquals("MAINTENANCE", refused.bodyAsJsonObject().getString("code"));
    assertEquals("database move", refused.bodyAsJsonObject().getString("reason"));
    assertTrue(refused.getHeader("Retry-After") != null);
    assertEquals(201, api.post("/api/Jobs", working.adminToken(), new JsonObject().put("processName", "more"))
        .await().statusCode());
    // its fires are skipped in its window; the other tenant's run
    clock.set(Instant.parse("2026-08-03T10:00:00.500Z"));
    Pool pool = Pools.create(node.vertx(), database, 1);
    try {
      Eventually.until(node.vertx(), () -> pool.preparedQuery("SELECT count(*) FROM schedule_fires WHERE outcome <> "
              + "'Pending'").execute().map(rows -> rows.iterator().next().getLong(0)), n -> n == 2, 20_000).await();
      JsonObject own = new Maintenance(api, host).get(moving.id()).await();
      long window = own.getLong("windowId");
      assertEquals("Tenant", own.getString("scope"), own.encode());
      assertEquals("Draining", own.getString("state"));
      assertEquals(1, own.getJsonArray("stoppedJobs").size(), own.encode());
      assertEquals(movingJob, own.getJsonArray("stoppedJobs").getLong(0));
      assertEquals(1, own.getJsonArray("skippedTriggers").size(), own.encode());
      assertEquals(1L, own.getLong("remainingJobs"));
      assertEquals(1L, pool.preparedQuery("SELECT count(*) FROM schedule_fires WHERE outcome = 'Skipped' AND tenant_id = $1 "
          + "AND window_id = $2").execute(Tuple.of(moving.id(), window)).await().iterator().next().getLong(0));
      assertEquals(1L, pool.preparedQuery("SELECT count(*) FROM schedule_fires WHERE outcome = 'Created' AND tenant_id = $1")
          .execute(Tuple.of(working.id())).await().iterator().next().getLong(0));
    } finally {
      pool.close().await();
    }
    // the platform is not in maintenance: UiPath's Get says None and lists the tenant's window
    JsonObject platform = new Maintenance(api, host).get(null).await();
    assertEquals("None", platform.getString("state"));
    assertEquals(moving.id(), platform.getJsonArray("tenantWindows").getJsonObject(0).getLong("tenantId"));

    // Suspended waits for its job (409 naming it), then cuts its robots off, not the other's
    HttpResponse<Buffer> notYet = hostPost("/api/Maintenance/Start?phase=Suspended&tenantId=" + moving.id());
    assertEquals(409, notYet.statusCode(), notYet.bodyAsString());
    assertEquals(1, notYet.bodyAsJsonObject().getInteger("runningJobs"));
    Api.expect(movingRobot.report(movingJob, "Stopped").await(), 200).await();
    assertEquals(204, hostPost("/api/Maintenance/Start?phase=Suspended&tenantId=" + moving.id()).statusCode());
    HttpResponse<Buffer> cutOff = api.post("/api/robot/heartbeat", movingRobot.token(), new JsonObject()).await();
    assertEquals(503, cutOff.statusCode(), cutOff.bodyAsString());
    assertEquals("Suspended", cutOff.bodyAsJsonObject().getString("phase"));
    assertEquals(List.of(), commands(workingRobot), "the other robot works on");
    Eventually.until(node.vertx(), () -> api.get("/metrics", null).map(r -> Scrape.parse(r.bodyAsString())
        .value("orchestrator_tenant_maintenance_phase{tenant=\"" + moving.id() + "\"}")), v -> v == 2.0, 20_000).await();

    // bad calls change nothing
    assertEquals(404, hostPost("/api/Maintenance/Start?phase=Draining&tenantId=999999").statusCode());
    assertEquals(400, hostPost("/api/Maintenance/Start?phase=Draining&killAfter=PT5M&tenantId=" + working.id())
        .statusCode());
    assertEquals(409, hostPost("/api/Maintenance/End?tenantId=" + working.id()).statusCode());
    assertEquals(403, api.post("/api/Maintenance/Start?phase=Draining&tenantId=" + working.id(), working.adminToken(),
        new JsonObject()).await().statusCode());

    // the window survives a restart
    node.close();
    node = TestNode.start(database, dataDir, clock);
    api = node.api();
    HttpResponse<Buffer> stillCut = api.post("/api/robot/heartbeat", movingRobot.token(), new JsonObject()).await();
    assertEquals(503, stillCut.statusCode(), stillCut.bodyAsString());
    assertEquals(200, api.post("/api/robot/heartbeat", workingRobot.token(), new JsonObject()).await().statusCode());

    // the platform's window covers every tenant on top, and a tenant window cannot start inside it
    Maintenance platformWindow = new Maintenance(api, host);
    platformWindow.start("phase=Draining").await();
    assertEquals(503, api.get("/api/Jobs", working.adminToken()).await().statusCode());
    assertEquals(409, hostPost("/api/Maintenance/Start?phase=Draining&tenantId=" + working.id()).statusCode());
    platformWindow.end().await();
    assertEquals(200, api.get("/api/Jobs", working.adminToken()).await().statusCode());
    assertEquals(503, api.get("/api/Jobs", moving.adminToken()).await().statusCode(), "its own window goes on");

    // End gives the tenant back; its history has the window with what it stopped and skipped
    assertEquals(204, hostPost("/api/Maintenance/End?tenantId=" + moving.id()).statusCode());
    assertEquals(200, api.post("/api/robot/heartbeat", movingRobot.token(), new JsonObject()).await().statusCode());
    assertEquals(200, api.get("/api/Jobs", moving.adminToken()).await().statusCode());
    JsonObject history = Api.expect(api.get("/api/Maintenance/History?tenantId=" + moving.id(), host).await(), 200)
        .await();
    JsonObject ownRecord = history.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(record -> record.getJsonArray("stoppedJobs").stream().anyMatch(id -> ((Number) id).longValue() == movingJob))
        .findFirst().orElseThrow();
    assertEquals(1, ownRecord.getJsonArray("skippedTriggers").size(), ownRecord.encode());
    assertTrue(new Maintenance(api, host).get(null).await().getJsonArray("tenantWindows").isEmpty());
    assertNull(new Maintenance(api, host).get(moving.id()).await().getString("remainingJobs"));
  }
}
