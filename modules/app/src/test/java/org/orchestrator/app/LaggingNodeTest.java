package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * A node whose copy of the phase lags a window that another node opened (its {@code phase.changed}
 * messages held back on purpose, for as long as the test wants) creates, hands out and starts no
 * job: those decisions are taken against the committed phase, in the transaction that takes them
 * (the start fence, decision 80). And autoSuspend, counting the drain on the other node, is not
 * fooled: nothing the lagging node does adds to a drain that was already counted.
 */
@Timeout(120)
class LaggingNodeTest {

  private TestNode lagging;
  private TestNode current;

  @AfterEach
  void stop() throws Exception {
    if (lagging != null) {
      lagging.close();
    }
    if (current != null) {
      current.close();
    }
  }

  @Test
  void aNodeBehindTheWindowCreatesHandsOutAndStartsNothing() throws Exception {
    DatabaseEndpoint database = TestDatabase.newSchema("lagging");
    Path keys = Files.createTempDirectory("lagging-keys");
    lagging = TestNode.start(database, Files.createTempDirectory("lagging-1"), keys);
    current = TestNode.start(database, Files.createTempDirectory("lagging-2"), keys);
    Api api = current.api();
    String host = api.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(api, host, "lag", 4).await();
    // the tenant's robots speak to the lagging node
    List<Tenants.Robot> robots = tenant.robots().stream()
        .map(robot -> new Tenants.Robot(lagging.api(), robot.id(), robot.secret(), robot.token())).toList();

    // before the window: robot 0 is handed a job and has not started it yet; ten more wait
    long handed = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "first")
        .put("robotId", robots.get(0).id())).await(), 201).await().getLong("id");
    assertTrue(startJobs(robots.get(0).heartbeat().await()).contains(handed));
    for (int i = 0; i < 10; i++) {
      Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "waiting")).await(),
          201).await();
    }

    // the lagging node hears of no phase change from now on
    AtomicBoolean holdBack = new AtomicBoolean(true);
    AtomicInteger heldBack = new AtomicInteger();
    lagging.vertx().eventBus().addInboundInterceptor(delivery -> {
      if (holdBack.get() && Addresses.PHASE_CHANGED.name().equals(delivery.message().address())) {
        heldBack.incrementAndGet();
        return;
      }
      delivery.next();
    });
    Maintenance maintenance = new Maintenance(api, host);
    maintenance.start("phase=Draining&autoSuspend=true&reason=lagging-node").await();
    Eventually.until(current.vertx(), () -> io.vertx.core.Future.succeededFuture(heldBack.get()), n -> n >= 1, 10_000).await();
    // it still believes there is no window: its gate serves what Draining closes
    assertEquals(200, lagging.api().get("/api/Jobs?size=1", tenant.adminToken()).await().statusCode(),
        "the lagging node's gate should not know of the window yet");

    // it creates no job ...
    JsonObject refused = Api.expect(lagging.api().post("/api/Jobs", tenant.adminToken(),
        new JsonObject().put("processName", "late")).await(), 503).await();
    assertEquals(1000, refused.getInteger("errorCode"), refused.encode());
    // ... hands out none, to any robot, however often they ask ...
    for (int round = 0; round < 5; round++) {
      for (Tenants.Robot robot : robots) {
        JsonArray commands = robot.heartbeat().await();
        assertTrue(startJobs(commands).isEmpty() || startJobs(commands).equals(List.of(handed)),
            "round " + round + ": robot " + robot.id() + " was handed work in Draining: " + commands.encode());
      }
    }
    // ... and the job handed out before the window does not start: it is being stopped
    robots.get(0).report(handed, "Running").await();
    holds(database, "SELECT count(*) = 0 FROM jobs WHERE state = 'Running' OR started_at IS NOT NULL",
        "no job may have started in the window");

    // robot 0 acknowledges its Stop through the lagging node; the drain is complete and autoSuspend,
    // counted on the other node, suspends the platform
    JsonArray commands = robots.get(0).heartbeat().await();
    assertTrue(commands.stream().map(JsonObject.class::cast).anyMatch(c -> "StopJob".equals(c.getString("type"))
        && c.getLong("jobId") == handed), commands.encode());
    Api.expect(robots.get(0).report(handed, "Stopped").await(), 200).await();
    Eventually.until(current.vertx(), () -> maintenance.get(null), got -> "Suspended".equals(got.getString("state")),
        30_000).await();

    // nothing ran and nothing was handed out: the ten waiting jobs are Pending, never delivered
    holds(database, "SELECT count(*) = 0 FROM jobs WHERE started_at IS NOT NULL", "no job may have started");
    holds(database, "SELECT count(*) = 10 FROM jobs WHERE state = 'Pending' AND start_delivered_at IS NULL",
        "the ten waiting jobs stay Pending, never handed out");
    holds(database, "SELECT count(*) = 1 FROM jobs WHERE start_delivered_at IS NOT NULL",
        "only the job handed out before the window was ever handed out");
    assertFalse(heldBack.get() == 0);
    holdBack.set(false);
  }

  @Test
  void aNodeBehindAnEndSkipsNoFireDueAfterIt() throws Exception {
    DatabaseEndpoint database = TestDatabase.newSchema("lagging_end");
    try (TestNode node = TestNode.start(database, Files.createTempDirectory("lagging-end"))) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "lagend", 0).await();
      long schedule = Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject()
          .put("name", "each-second").put("processName", "tick").put("cron", "* * * * * ?")).await(), 201).await()
          .getLong("id");
      Maintenance maintenance = new Maintenance(api, host);
      maintenance.start("phase=Draining&reason=lagging-end").await();
      // the window is known everywhere: its fires are skipped
      Eventually.until(node.vertx(), () -> node.vertx().executeBlocking(() -> count(database,
          "outcome = 'Skipped' AND schedule_id = " + schedule)), n -> n >= 1, 20_000).await();

      // from now on this node hears of no phase change: its copy of the phase stays Draining
      AtomicBoolean holdBack = new AtomicBoolean(true);
      node.vertx().eventBus().addInboundInterceptor(delivery -> {
        if (holdBack.get() && Addresses.PHASE_CHANGED.name().equals(delivery.message().address())) {
          return;
        }
        delivery.next();
      });
      maintenance.end().await();
      // as committed (this node's own Get still shows its copy: Draining, no end)
      String endedAt = text(database, "SELECT max(ended_at)::text FROM " + database.schema() + ".maintenance_windows");
      // the fires due after End run, although the node still believes it is Draining
      Eventually.until(node.vertx(), () -> node.vertx().executeBlocking(() -> count(database,
          "outcome = 'Created' AND planned_at > '" + endedAt + "' AND schedule_id = " + schedule)), n -> n >= 2,
          20_000).await();
      assertEquals(0, count(database, "outcome = 'Skipped' AND planned_at > '" + endedAt + "'"),
          "a fire due after End was skipped by a node whose copy of the phase lagged");
      holdBack.set(false);
    }
  }

  private static String text(DatabaseEndpoint database, String query) {
    try (java.sql.Connection connection = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(),
        database.password()); java.sql.Statement statement = connection.createStatement();
         java.sql.ResultSet row = statement.executeQuery(query)) {
      row.next();
      return java.util.Objects.requireNonNull(row.getString(1), query);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(DatabaseEndpoint database, String where) {
    try (java.sql.Connection connection = java.sql.DriverManager.getConnection(database.jdbcUrl(), database.user(),
        database.password()); java.sql.Statement statement = connection.createStatement();
         java.sql.ResultSet row = statement.executeQuery("SELECT count(*) FROM " + database.schema()
             + ".schedule_fires WHERE " + where)) {
      row.next();
      return row.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Long> startJobs(JsonArray commands) {
    return commands.stream().map(JsonObject.class::cast).filter(c -> "StartJob".equals(c.getString("type")))
        .map(c -> c.getLong("jobId")).toList();
  }

  /** Fails with {@code message} unless {@code query} (one boolean) answers true. */
  private static void holds(DatabaseEndpoint database, String query, String message) {
    TestDatabase.execute(database, "SET search_path TO " + database.schema() + "; DO $$ BEGIN IF NOT (" + query + ") THEN RAISE EXCEPTION '" + message
        + "'; END IF; END $$");
  }
}
