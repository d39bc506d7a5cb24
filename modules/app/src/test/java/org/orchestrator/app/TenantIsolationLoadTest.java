package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;
import org.orchestrator.simulator.RobotStats;

/**
 * Isolation under load: one tenant is Suspended in a window of its own while another tenant's 200
 * robots work through 400 jobs at full speed (heartbeats, logs, results). The working tenant sees
 * no refusal and no error, every log line it was told is stored is stored, every job ends
 * Successful; the suspended tenant's robot is refused throughout.
 */
@org.junit.jupiter.api.Timeout(600)
class TenantIsolationLoadTest {

  private static final int ROBOTS = 200;
  private static final int JOBS = 2 * ROBOTS;

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture suspended;
  private static Tenants.Fixture busy;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("isolation");
    api = new Api(node.vertx(), node.port(), 20);
    host = api.signInHostAdmin().await();
    suspended = Tenants.create(api, host, "suspended", 1).await();
    busy = Tenants.create(api, host, "busy", ROBOTS).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void aSuspendedTenantCostsAnotherTenantsFleetNothing() throws Exception {
    Api.expect(api.post("/api/Maintenance/Start?phase=Suspended&tenantId=" + suspended.id(), host, new JsonObject())
        .await(), 204).await();
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      created.add(api.post("/api/Jobs", busy.adminToken(), new JsonObject().put("processName", "invoice-" + i))
          .compose(response -> Api.expect(response, 201)));
    }
    Future.all(created).await();
    RobotSettings settings = RobotSettings.defaults().withHeartbeat(Duration.ofMillis(200))
        .withJobDuration(Duration.ofMillis(300)).withLogEvery(Duration.ofMillis(100));
    RobotFleet fleet = RobotFleet.deploy(node.vertx(), URI.create("http://127.0.0.1:" + node.port()),
        busy.robots().stream().map(Tenants.Robot::credentials).toList(), settings).await();
    try {
      Eventually.until(node.vertx(), () -> api.count("/api/Jobs?state=Successful", busy.adminToken()),
          n -> n == JOBS, 300_000).await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(fleet.unsent()), unsent -> unsent == 0, 60_000)
          .await();
      RobotStats stats = fleet.stats();
      assertEquals(0L, stats.refusals.get(), "no 503 for the working tenant: " + stats);
      assertEquals(0L, stats.unexpected.get(), "no unexpected answer: " + stats);
      assertEquals(JOBS, stats.jobsSucceeded.get(), stats.toString());
      assertTrue(stats.logsWritten.get() > JOBS, stats.toString());
      assertEquals(stats.logsWritten.get(), stats.logsAcknowledged.get(), "every line acknowledged");
      assertEquals(stats.logsAcknowledged.get(), api.count("/api/RobotLogs", busy.adminToken()).await(),
          "every acknowledged line stored");
      // all along, the suspended tenant's robot was cut off
      assertEquals(503, api.post("/api/robot/heartbeat", suspended.robots().get(0).token(), new JsonObject())
          .await().statusCode());
    } finally {
      fleet.close().await();
    }
    Api.expect(api.post("/api/Maintenance/End?tenantId=" + suspended.id(), host, new JsonObject()).await(), 204)
        .await();
    assertEquals(200, api.post("/api/robot/heartbeat", suspended.robots().get(0).token(), new JsonObject())
        .await().statusCode());
  }
}
