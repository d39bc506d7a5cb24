package org.orchestrator.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.app.Api;
import org.orchestrator.app.Eventually;
import org.orchestrator.app.Maintenance;
import org.orchestrator.app.TestNode;
import org.orchestrator.app.Tenants;
import org.orchestrator.platform.testing.TestDatabase;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;
import org.orchestrator.simulator.RobotStats;

/**
 * The long reliability run (scripts/load-window.sh): N simulated robots (default 1,000, in 10
 * tenants) heartbeat, run jobs and upload logs through a whole window: Draining until drained,
 * Suspended for 15 s (robots refused, buffering), End, until every robot has flushed. Checks that
 * every log line written was acknowledged and stored (sent = stored) and that no reply other than
 * the documented 503s was unexpected. Exits 1 when a check fails.
 */
public final class LoadWindow {

  private LoadWindow() {
  }

  public static void main(String[] args) throws Exception {
    int robots = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int tenants = 10;
    long t0 = System.nanoTime();
    TestNode node = TestNode.start(TestDatabase.newSchema("load"), Files.createTempDirectory("load"));
    int exit = 0;
    try {
      Api api = new Api(node.vertx(), node.port(), 32);
      String host = api.signInHostAdmin().await();
      Maintenance maintenance = new Maintenance(api, host);
      List<Tenants.Fixture> fixtures = new ArrayList<>();
      List<RobotFleet.Credentials> credentials = new ArrayList<>();
      for (int t = 0; t < tenants; t++) {
        Tenants.Fixture fixture = Tenants.create(api, host, "load-" + t, robots / tenants).await();
        fixtures.add(fixture);
        fixture.robots().forEach(robot -> credentials.add(robot.credentials()));
      }
      log("registered %d robots in %d tenants", credentials.size(), tenants);
      RobotFleet fleet = RobotFleet.deploy(node.vertx(), URI.create("http://127.0.0.1:" + node.port()), credentials,
          RobotSettings.defaults().withHeartbeat(Duration.ofSeconds(2)).withJobDuration(Duration.ofMinutes(10))
              .withLogEvery(Duration.ofSeconds(1)).withStopGrace(Duration.ofSeconds(3))).await();
      List<Future<?>> created = new ArrayList<>();
      for (Tenants.Fixture fixture : fixtures) {
        for (Tenants.Robot robot : fixture.robots()) {
          created.add(api.post("/api/Jobs", fixture.adminToken(), new JsonObject().put("processName", "load")
              .put("robotId", robot.id())));
        }
      }
      Future.all(created).await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(fleet.runningJobs()),
          running -> running >= robots * 95 / 100, 120_000).await();
      log("%d jobs running; logs so far %d", fleet.runningJobs(), fleet.stats().logsAcknowledged.get());

      long drainStart = System.nanoTime();
      maintenance.start("phase=Draining&reason=load").await();
      Eventually.until(node.vertx(), maintenance::progress, p -> p.getLong("remaining", -1L) == 0, 180_000).await();
      log("drained %d jobs in %.1f s", robots, (System.nanoTime() - drainStart) / 1e9);
      maintenance.start("phase=Suspended").await();
      Thread.sleep(15_000);
      log("suspended 15 s: %d refusals (503), %d lines buffered", fleet.stats().refusals.get(), fleet.unsent());
      maintenance.end().await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(fleet.unsent()), unsent -> unsent == 0, 180_000)
          .await();
      Thread.sleep(3_000);

      RobotStats stats = fleet.stats();
      long stored = 0;
      for (Tenants.Fixture fixture : fixtures) {
        stored += api.get("/api/RobotLogs?size=1", fixture.adminToken()).await().bodyAsJsonObject().getLong("total");
      }
      log("stats: %s", stats);
      boolean sentIsStored = stats.logsAcknowledged.get() == stored;
      boolean nothingLost = stats.logsWritten.get() == stats.logsAcknowledged.get();
      boolean noUnexpected = stats.unexpected.get() == 0;
      System.out.printf("| %d robots, %d tenants, one window (drain, 15 s Suspended, End) | written %d, acknowledged %d, "
              + "stored %d, 503s %d, unexpected replies %d | %s | %.0f s |%n", robots, tenants, stats.logsWritten.get(),
          stats.logsAcknowledged.get(), stored, stats.refusals.get(), stats.unexpected.get(),
          sentIsStored && nothingLost && noUnexpected ? "pass" : "FAIL", (System.nanoTime() - t0) / 1e9);
      exit = sentIsStored && nothingLost && noUnexpected ? 0 : 1;
      fleet.close().await();
    } finally {
      node.close();
    }
    System.exit(exit);
  }

  private static void log(String format, Object... args) {
    System.err.printf("load: " + format + "%n", args);
  }
}
