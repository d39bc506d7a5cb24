package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.dbadmin.EmbeddedPostgresServer;

/**
 * The database drops every connection of the node while robots heartbeat: no request is answered
 * 500; what could not be served is a 503 with {@code Retry-After}, and the node serves again by
 * itself (issue 30, item 11). PostgreSQL restarts while Draining: the node reports not-ready, keeps the gate closed (the phase
 * is in memory), and recovers by itself when the database returns; nothing acknowledged is lost.
 */
@Timeout(120)
class DatabaseRestartTest {

  @Test
  void theNodeWaitsOutADatabaseRestartWithTheGateClosed() throws Exception {
    Path cluster = Files.createTempDirectory("restart-pg");
    int port = ServerProcess.freePort();
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(cluster, port);
    try (TestNode node = TestNode.start(postgres.endpoint("public"), Files.createTempDirectory("restart-node"))) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "survives", 0).await();
      new Maintenance(api, host).start("phase=Draining&reason=db%20restart").await();

      postgres.close();
      Eventually.until(node.vertx(), () -> api.get("/health/ready", null).map(r -> r.statusCode()),
          status -> status == 503, 20_000).await();
      assertEquals(503, api.get("/api/Jobs", tenant.adminToken()).await().statusCode(), "the gate stays closed");
      assertEquals("MAINTENANCE", api.get("/api/Jobs", tenant.adminToken()).await().bodyAsJsonObject().getString("code"));

      postgres = EmbeddedPostgresServer.start(cluster, port);
      Eventually.until(node.vertx(), () -> api.get("/health/ready", null).map(r -> r.statusCode()),
          status -> status == 200, 60_000).await();
      JsonObject setting = new Maintenance(api, host).get(null).await();
      assertEquals("Draining", setting.getString("state"));
      assertEquals("db restart", setting.getString("reason"));
      new Maintenance(api, host).end().await();
      assertEquals(200, api.get("/api/Jobs", tenant.adminToken()).await().statusCode(), "served again after End");
    } finally {
      postgres.close();
    }
  }

  @Test
  void droppedDatabaseConnectionsAreA503WithRetryAfterNeverA500() throws Exception {
    Path cluster = Files.createTempDirectory("drop-pg");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(cluster, ServerProcess.freePort());
    try (TestNode node = TestNode.start(postgres.endpoint("public"), Files.createTempDirectory("drop-node"))) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "dropped", 8).await();
      Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
      Map<String, Integer> bodies = new ConcurrentHashMap<>();
      AtomicBoolean missingRetryAfter = new AtomicBoolean();
      AtomicBoolean heartbeating = new AtomicBoolean(true);
      for (Tenants.Robot robot : tenant.robots()) {
        heartbeat(node, robot, statuses, bodies, missingRetryAfter, heartbeating);
      }
      Eventually.until(node.vertx(), () -> io.vertx.core.Future.succeededFuture(statuses.getOrDefault(200, 0)),
          n -> n >= 40, 10_000).await();
      // three times, every connection of the node is dropped by the database
      for (int drop = 0; drop < 3; drop++) {
        TestDatabase.execute(postgres.endpoint("public"), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            + "WHERE application_name = 'orchestrator' AND pid <> pg_backend_pid()");
        int before = statuses.getOrDefault(200, 0);
        Eventually.until(node.vertx(), () -> io.vertx.core.Future.succeededFuture(statuses.getOrDefault(200, 0)),
            n -> n >= before + 40, 20_000).await();
      }
      heartbeating.set(false);
      // the node is whole again: the maintenance tick's leader and the gate work
      new Maintenance(api, host).start("phase=Draining&reason=after%20drops").await();
      Eventually.until(node.vertx(), () -> new Maintenance(api, host).progress(),
          progress -> progress.containsKey("remaining"), 10_000).await();
      new Maintenance(api, host).end().await();
      assertTrue(!statuses.containsKey(500), "heartbeats answered 500: " + statuses + " " + bodies);
      assertTrue(statuses.keySet().stream().allMatch(s -> s == 200 || s == 503), statuses + " " + bodies);
      assertTrue(!missingRetryAfter.get(), "a 503 without Retry-After: " + bodies);
      System.out.println("heartbeats while the database dropped connections: " + new TreeMap<>(statuses) + " " + bodies);
    } finally {
      postgres.close();
    }
  }

  /** One robot heartbeating every 10 ms until {@code heartbeating} is false; counts the answers. */
  private static void heartbeat(TestNode node, Tenants.Robot robot, Map<Integer, Integer> statuses,
      Map<String, Integer> bodies, AtomicBoolean missingRetryAfter, AtomicBoolean heartbeating) {
    if (!heartbeating.get()) {
      return;
    }
    robot.api().post("/api/robot/heartbeat", robot.token(), new JsonObject()).onComplete(done -> {
      if (done.succeeded()) {
        int status = done.result().statusCode();
        statuses.merge(status, 1, Integer::sum);
        if (status != 200) {
          bodies.merge(status + " " + done.result().bodyAsJsonObject().getString("message"), 1, Integer::sum);
          if (status == 503 && done.result().getHeader("Retry-After") == null) {
            missingRetryAfter.set(true);
          }
        }
      } else {
        statuses.merge(-1, 1, Integer::sum);
      }
      node.vertx().setTimer(10, t -> heartbeat(node, robot, statuses, bodies, missingRetryAfter, heartbeating));
    });
  }
}
