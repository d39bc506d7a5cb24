package org.orchestrator.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
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
import org.orchestrator.platform.database.Pools;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;
import org.orchestrator.simulator.RobotStats;

/**
 * The long reliability run (scripts/load-window.sh): N simulated robots (default 1,000, in 10
 * tenants) heartbeat, run jobs and upload logs through a whole window: Draining until drained,
 * Suspended for 15 s (robots refused, buffering), End; the jobs that were still Pending when the
 * drain began start after End and are stopped; the run waits until every job is final and every
 * robot has flushed, so nothing is written after the comparison. Checks that
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
    // every robot comes from this machine's one address: its share of the connections is all of them
    TestNode node = TestNode.start(TestDatabase.newSchema("load"), Files.createTempDirectory("load"),
        new io.vertx.core.json.JsonObject().put("http", new io.vertx.core.json.JsonObject()
            .put("maxConnectionsPerAddress", 4_096)));
    Pool pool = Pools.create(node.vertx(), node.orchestrator().database(), 2);
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
      // before the robots start (no heartbeat load yet), one chain per tenant (10 requests in flight):
      // 1,000 at once queued past the client's 30 s timeout
      List<Future<?>> created = new ArrayList<>();
      for (Tenants.Fixture fixture : fixtures) {
        Future<?> chain = Future.succeededFuture();
        for (Tenants.Robot robot : fixture.robots()) {
          chain = chain.compose(ok -> api.post("/api/Jobs", fixture.adminToken(), new JsonObject()
              .put("processName", "load").put("robotId", robot.id())).compose(response -> Api.expect(response, 201)));
        }
        created.add(chain);
      }
      Future.all(created).await();
      RobotFleet fleet = RobotFleet.deploy(node.vertx(), URI.create("http://127.0.0.1:" + node.port()), credentials,
          RobotSettings.defaults().withHeartbeat(Duration.ofSeconds(2)).withJobDuration(Duration.ofMinutes(10))
              .withLogEvery(Duration.ofSeconds(1)).withStopGrace(Duration.ofSeconds(3))).await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(fleet.runningJobs()),
          running -> running >= robots * 95 / 100, 120_000).await();
      log("%d jobs running; logs so far %d", fleet.runningJobs(), fleet.stats().logsAcknowledged.get());

      long drainStart = System.nanoTime();
      maintenance.start("phase=Draining&reason=load").await();
      // once Draining is stored no job is handed out: these wait through the window and start after End
      long waiting = count(pool, "SELECT count(*) FROM jobs WHERE state = 'Pending' AND start_delivered_at IS NULL");
      log("%d jobs were Pending (not yet handed to a robot) when Draining began: they wait", waiting);
      Eventually.until(node.vertx(), maintenance::progress, p -> p.getLong("remaining", -1L) == 0, 180_000).await();
      log("drained %d jobs in %.1f s", robots, (System.nanoTime() - drainStart) / 1e9);
      maintenance.start("phase=Suspended").await();
      Thread.sleep(15_000);
      log("suspended 15 s: %d refusals (503), %d lines buffered", fleet.stats().refusals.get(), fleet.unsent());
      maintenance.end().await();
      // the jobs that waited start now; stop them, and wait until every job is final and every robot
      // has flushed, so that nothing is written after the comparison
      long startedAfterEnd = 0;
      if (waiting > 0) {
        // they are handed out now (none was while in maintenance); once their robots run them, stop them
        Eventually.until(node.vertx(), () -> Future.succeededFuture(count(pool, "SELECT count(*) FROM jobs "
            + "WHERE state = 'Pending'")), n -> n == 0, 120_000).await();
        startedAfterEnd = count(pool, "SELECT count(*) FROM jobs WHERE start_delivered_at > "
            + "(SELECT max(ended_at) FROM maintenance_windows)");
        for (Tenants.Fixture fixture : fixtures) {
          JsonArray jobs = api.get("/api/Jobs?state=Running&size=1000", fixture.adminToken()).await().bodyAsJsonObject()
              .getJsonArray("items");
          for (Object job : jobs) {
            api.post("/api/Jobs/" + ((JsonObject) job).getLong("id") + "/Stop", fixture.adminToken(), new JsonObject())
                .await();
          }
        }
      }
      Eventually.until(node.vertx(), () -> Future.succeededFuture(count(pool, "SELECT count(*) FROM jobs "
          + "WHERE state NOT IN ('Successful', 'Faulted', 'Stopped')")), n -> n == 0, 180_000).await();
      log("every job final; %d waited through the window and were handed out after End", startedAfterEnd);
      Eventually.until(node.vertx(), () -> Future.succeededFuture(fleet.unsent()), unsent -> unsent == 0, 180_000)
          .await();

      RobotStats stats = fleet.stats();
      long stored = count(pool, "SELECT count(*) FROM robot_logs");
      log("stats: %s", stats);
      boolean sentIsStored = stats.logsAcknowledged.get() == stored;
      boolean nothingLost = stats.logsWritten.get() == stats.logsAcknowledged.get();
      boolean noUnexpected = stats.unexpected.get() == 0;
      System.out.printf("| %d robots, %d tenants, one window (drain, 15 s Suspended, End) | written %d, acknowledged %d, "
              + "stored %d, 503s %d, unexpected replies %d | %d Pending at the drain's start, %d handed out after End | %s "
              + "| %.0f s |%n", robots, tenants, stats.logsWritten.get(),
          stats.logsAcknowledged.get(), stored, stats.refusals.get(), stats.unexpected.get(), waiting, startedAfterEnd,
          sentIsStored && nothingLost && noUnexpected ? "pass" : "FAIL", (System.nanoTime() - t0) / 1e9);
      exit = sentIsStored && nothingLost && noUnexpected ? 0 : 1;
      fleet.close().await();
    } finally {
      pool.close().await();
      node.close();
    }
    System.exit(exit);
  }

  private static long count(Pool pool, String sql) {
    return pool.query(sql).execute().await().iterator().next().getLong(0);
  }

  private static void log(String format, Object... args) {
    System.err.printf("load: " + format + "%n", args);
  }
}
