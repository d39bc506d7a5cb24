package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * {@code kill -9} of the server process while Draining and while Suspended: after a restart the
 * phase, the logs and the pending Stop commands are intact, and the gate is closed before the
 * first request is served.
 */
@org.junit.jupiter.api.Timeout(300)
class CrashTest {

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
  void killedWhileDrainingOnTheEmbeddedDefault() throws Exception {
    crashAndRestart(null, "Draining");
  }

  @Test
  void killedWhileSuspended() throws Exception {
    crashAndRestart(TestDatabase.newSchema("crash"), "Suspended");
  }

  private void crashAndRestart(DatabaseEndpoint database, String phase) throws Exception {
    Path dataDir = Files.createTempDirectory("orchestrator-crash");
    ServerProcess first = ServerProcess.start(dataDir, database, 0);
    int port = first.port();
    Api api = new Api(vertx, port);
    long jobId;
    Tenants.Fixture tenant;
    try {
      ServerProcess.awaitReady(vertx, api);
      String host = api.signInHostAdmin().await();
      tenant = Tenants.create(api, host, "crash", 1).await();
      Tenants.Robot robot = tenant.robots().get(0);
      jobId = robot.runJob(tenant.adminToken()).await();
      new Maintenance(api, host).start("phase=Draining&reason=crash%20test").await();
      if (phase.equals("Suspended")) {
        new Maintenance(api, host).start("phase=Suspended&force=true").await();
      }
    } finally {
      first.kill();
    }

    ServerProcess second = ServerProcess.start(dataDir, database, port);
    try {
      // the first response a human route gets is already the maintenance refusal
      HttpResponse<Buffer> firstServed = Eventually.until(vertx,
          () -> api.get("/api/Jobs", tenant.adminToken()).map(r -> r).otherwise((HttpResponse<Buffer>) null),
          response -> response != null, 90_000).await();
      assertEquals(503, firstServed.statusCode(), firstServed.bodyAsString());
      assertEquals("MAINTENANCE", firstServed.bodyAsJsonObject().getString("code"));
      assertEquals(phase, firstServed.bodyAsJsonObject().getString("phase"));

      String host = api.signInHostAdmin().await();
      JsonObject setting = new Maintenance(api, host).get(tenant.id()).await();
      assertEquals(phase, setting.getString("state"));
      assertEquals("crash test", setting.getString("reason"));
      assertEquals(List.of(jobId), setting.getJsonArray("stoppedJobs").stream()
          .map(id -> ((Number) id).longValue()).toList());
      List<String> logged = setting.getJsonArray("maintenanceLogs").stream()
          .map(l -> ((JsonObject) l).getString("state")).toList();
      assertEquals(phase.equals("Suspended") ? List.of("Draining", "Suspended") : List.of("Draining"), logged);
      // the audit says the node restarted and re-ran the stop sweep (stops nobody asked for are accounted for)
      JsonArray audit = new Maintenance(api, host).get(null).await().getJsonArray("audit");
      assertTrue(audit.stream().anyMatch(entry -> String.valueOf(((JsonObject) entry).getString("note"))
          .startsWith("node restarted in " + phase + ": stop sweep run again")), audit.encodePrettily());

      Tenants.Robot robot = tenant.robots().get(0);
      String robotToken = api.robotToken(Long.toString(robot.id()), robot.secret()).await().bodyAsJsonObject()
          .getString("access_token");
      HttpResponse<Buffer> heartbeat = api.post("/api/robot/heartbeat", robotToken, new JsonObject()).await();
      if (phase.equals("Suspended")) {
        assertEquals(503, heartbeat.statusCode(), "robots stay cut off after the restart");
        new Maintenance(api, host).end().await();
        heartbeat = api.post("/api/robot/heartbeat", robotToken, new JsonObject()).await();
      }
      JsonArray commands = heartbeat.bodyAsJsonObject().getJsonArray("commands");
      assertEquals(new JsonArray().add(new JsonObject().put("type", "StopJob").put("jobId", jobId)
          .put("processName", "p")), commands, "the pending Stop survived the crash");
      assertTrue(second.alive());
    } finally {
      second.close();
    }
  }
}
