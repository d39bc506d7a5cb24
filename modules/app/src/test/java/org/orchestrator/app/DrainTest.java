package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;
import org.orchestrator.simulator.RobotStats;

/**
 * 200 running jobs across 5 tenants, on simulated robots speaking HTTP: Draining stops them all
 * through the robots; killJobs kills those whose robots would take too long; each tenant's log
 * counts exactly its own; killAfter kills by itself; autoSuspend suspends by itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.Timeout(300)
class DrainTest {

  private static final int TENANTS = 5;
  private static final int ROBOTS_PER_TENANT = 40;
  private static final int STUBBORN_PER_TENANT = 2;

  private static TestNode node;
  private static Api api;
  private static Maintenance maintenance;
  private static final List<Tenants.Fixture> tenants = new ArrayList<>();
  private static RobotFleet cooperative;
  private static RobotFleet stubborn;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("drain");
    api = node.api();
    String host = api.signInHostAdmin().await();
    maintenance = new Maintenance(api, host);
    List<RobotFleet.Credentials> quick = new ArrayList<>();
    List<RobotFleet.Credentials> slow = new ArrayList<>();
    for (int t = 0; t < TENANTS; t++) {
      Tenants.Fixture tenant = Tenants.create(api, host, "drain-" + t, ROBOTS_PER_TENANT).await();
      tenants.add(tenant);
      for (int r = 0; r < ROBOTS_PER_TENANT; r++) {
        (r < STUBBORN_PER_TENANT ? slow : quick).add(tenant.robots().get(r).credentials());
      }
    }
    URI server = URI.create("http://127.0.0.1:" + node.port());
    // one heartbeat and one log line a second per robot: 200 robots stay within what a loaded
    // 2-core machine serves (at 5 heartbeats a second they starved the SQL pool under stress-ng)
    RobotSettings settings = RobotSettings.defaults().withHeartbeat(Duration.ofSeconds(1))
        .withJobDuration(Duration.ofMinutes(10)).withLogEvery(Duration.ofSeconds(1))
        .withStopGrace(Duration.ofMillis(300));
    cooperative = RobotFleet.deploy(node.vertx(), server, quick, settings).await();
    stubborn = RobotFleet.deploy(node.vertx(), server, slow, settings.withStopGrace(Duration.ofMinutes(10))).await();
  }

  @AfterAll
  static void stop() throws Exception {
    Future.all(cooperative.close(), stubborn.close()).await();
    node.close();
  }

  /** One job per robot, every robot busy. */
  private static void runOneJobPerRobot() throws Exception {
    List<Future<?>> created = new ArrayList<>();
    for (Tenants.Fixture tenant : tenants) {
      for (Tenants.Robot robot : tenant.robots()) {
        created.add(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "long")
            .put("robotId", robot.id())).compose(r -> Api.expect(r, 201)));
      }
    }
    Future.all(created).await();
    int all = TENANTS * ROBOTS_PER_TENANT;
    Eventually.until(node.vertx(), () -> Future.all(tenants.stream().map(t -> api.count("/api/Jobs?state=Running",
                t.adminToken())).toList())
            .map(each -> each.list().stream().mapToLong(n -> (Long) n).sum()),
        running -> running == all, 120_000).await();
  }

  @Test
  @Order(1)
  void drainingStopsEveryRunningJobThroughTheRobotsAndKillJobsKillsTheRest() throws Exception {
    runOneJobPerRobot();
    maintenance.start("phase=Draining&reason=database%20upgrade").await();

    // cooperative robots stop within their grace; the stubborn ones keep running
    JsonObject progress = Eventually.until(node.vertx(), maintenance::progress,
        p -> p.getLong("remaining", -1L) == TENANTS * STUBBORN_PER_TENANT, 120_000).await();
    assertEquals(TENANTS * ROBOTS_PER_TENANT, progress.getLong("stopsSent"));

    // Suspended is refused while they run, listing them, and nothing changes
    var refused = api.post("/api/Maintenance/Start?phase=Suspended", null, new JsonObject());
    var refusedAsHost = api.post("/api/Maintenance/Start?phase=Suspended",
        api.signInHostAdmin().await(), new JsonObject()).await();
    assertEquals(401, refused.await().statusCode());
    JsonObject conflict = Expect.error(refusedAsHost, 409, "CONFLICT");
    assertEquals(TENANTS * STUBBORN_PER_TENANT, conflict.getInteger("runningJobs"));
    assertEquals(TENANTS * STUBBORN_PER_TENANT, conflict.getJsonArray("jobs").size());
    assertEquals("Draining", maintenance.get(null).await().getString("state"));

    maintenance.start("phase=Draining&killJobs=true").await();
    Eventually.until(node.vertx(), maintenance::progress, p -> p.getLong("remaining", -1L) == 0, 120_000).await();

    for (Tenants.Fixture tenant : tenants) {
      JsonObject log = maintenance.get(tenant.id()).await();
      assertEquals("Draining", log.getString("state"));
      assertEquals(ROBOTS_PER_TENANT, log.getInteger("jobStopsAttempted"), tenant.name());
      assertEquals(STUBBORN_PER_TENANT, log.getInteger("jobKillsAttempted"), tenant.name());
      assertEquals(ROBOTS_PER_TENANT, log.getJsonArray("stoppedJobs").size());
      assertEquals(0, log.getInteger("systemTriggersSkipped"));
    }
    maintenance.start("phase=Suspended").await();
    assertEquals("Suspended", maintenance.get(null).await().getString("state"));
    maintenance.end().await();

    // every job ended as Stopped, and every tenant has one closed window in its history
    for (Tenants.Fixture tenant : tenants) {
      assertEquals(ROBOTS_PER_TENANT, api.count("/api/Jobs?state=Stopped", tenant.adminToken()).await(), tenant.name());
      JsonObject history = api.get("/api/Maintenance/History?tenantId=" + tenant.id(), api.signInHostAdmin().await())
          .await().bodyAsJsonObject();
      assertEquals(1, history.getJsonArray("items").size());
      assertNull(history.getString("next"));
      JsonObject window = history.getJsonArray("items").getJsonObject(0);
      assertEquals(ROBOTS_PER_TENANT, window.getInteger("jobStopsAttempted"));
      assertEquals(STUBBORN_PER_TENANT, window.getInteger("jobKillsAttempted"));
    }
    JsonObject ended = maintenance.get(null).await();
    assertEquals("None", ended.getString("state"));
    JsonArray logs = ended.getJsonArray("maintenanceLogs");
    assertEquals(List.of("Draining", "Suspended", "None"),
        logs.stream().map(l -> ((JsonObject) l).getString("state")).toList());

    // nothing the robots produced was lost, and they never met an unexpected reply
    Eventually.until(node.vertx(), () -> Future.succeededFuture(cooperative.unsent() + stubborn.unsent()),
        n -> n == 0, 60_000).await();
    RobotStats stats = cooperative.stats();
    stats.add(stubborn.stats());
    assertEquals(0, stats.unexpected.get(), stats.toString());
    assertEquals(TENANTS * (ROBOTS_PER_TENANT - STUBBORN_PER_TENANT), stats.jobsStopped.get());
    assertEquals(TENANTS * STUBBORN_PER_TENANT, stats.jobsKilled.get());
    long stored = 0;
    for (Tenants.Fixture tenant : tenants) {
      stored += api.count("/api/RobotLogs", tenant.adminToken()).await();
    }
    assertEquals(stats.logsAcknowledged.get(), stored, "every acknowledged log line is stored");
  }

  @Test
  @Order(2)
  void killAfterKillsByItselfAndAutoSuspendSuspendsByItself() throws Exception {
    runOneJobPerRobot();
    maintenance.start("phase=Draining&autoSuspend=true&reason=deadline").await();
    // the deadline is set once the cooperative robots have stopped, so that what it kills does not
    // depend on how fast a loaded machine delivers 200 stops (a fixed PT2S from the start did)
    Eventually.until(node.vertx(), maintenance::progress,
        p -> p.getLong("remaining", -1L) == TENANTS * STUBBORN_PER_TENANT, 120_000).await();
    maintenance.start("phase=Draining&killAfter=PT1S").await();
    JsonObject during = maintenance.get(null).await();
    assertTrue(during.getBoolean("autoSuspend"));

    JsonObject suspended = Eventually.until(node.vertx(), () -> maintenance.get(null),
        s -> "Suspended".equals(s.getString("state")), 120_000).await();
    assertEquals("PT1S", suspended.getString("killAfter"));
    assertEquals(TENANTS * STUBBORN_PER_TENANT, suspended.getInteger("jobKillsAttempted"),
        "only the stubborn jobs were still running at the deadline");
    List<String> notes = suspended.getJsonArray("audit").stream().map(a -> ((JsonObject) a).getString("note", ""))
        .toList();
    assertTrue(notes.stream().anyMatch(n -> n.contains("killAfter")), notes.toString());
    assertTrue(notes.stream().anyMatch(n -> n.contains("autoSuspend")), notes.toString());
    maintenance.end().await();
  }
}
