package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.jobs.JobControlVerticle;
import org.orchestrator.platform.database.Pools;

/**
 * The node's own connections for its hottest statements (decisions 124 and 127) are wired in: a
 * robot's log upload runs on the log writer's, its heartbeat in Draining (one that claims nothing)
 * on the quiet heartbeats', each named for its purpose in {@code pg_stat_activity}, where an
 * operator counting a node's connections (docs/operations.md) tells them apart.
 */
@Timeout(120)
class NodeConnectionsTest {

  private static TestNode node;
  private static Pool pool;
  private static Instant started;

  @BeforeAll
  static void start() throws Exception {
    started = Instant.now().minusSeconds(1);
    node = TestNode.start("connections");
    pool = Pools.create(node.vertx(), node.orchestrator().database(), 1);
  }

  @AfterAll
  static void stop() throws Exception {
    pool.close().await();
    node.close();
  }

  @Test
  void theLogWriterAndTheQuietHeartbeatsRunOnConnectionsOfTheirOwn() throws Exception {
    Api api = node.api();
    String host = api.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(api, host, "connections", 1).await();
    Tenants.Robot robot = tenant.robots().get(0);
    long job = robot.runJob(tenant.adminToken()).await();
    Api.expect(robot.logs(new JsonArray().add(new JsonObject().put("jobId", job).put("level", "Info")
        .put("message", "hello").put("timeStamp", Instant.now().toString()))).await(), 200).await();
    new Maintenance(api, host).start("phase=Draining&reason=connections").await();
    robot.heartbeat().await();

    Map<String, Long> named = named().await();
    assertEquals(1L, named.getOrDefault("orchestrator " + JobControlVerticle.QUIET_HEARTBEATS, 0L), named.toString());
    long writers = named.getOrDefault("orchestrator " + JobControlVerticle.LOG_WRITER, 0L);
    assertTrue(writers >= 1 && writers <= 2, named.toString());
    assertTrue(named.getOrDefault("orchestrator", 0L) > 0, named.toString());
  }

  /** This node's connections (opened since it started) by application name. */
  private static Future<Map<String, Long>> named() {
    return pool.preparedQuery("SELECT application_name, count(*) FROM pg_stat_activity "
            + "WHERE datname = current_database() AND application_name LIKE 'orchestrator%' AND backend_start >= $1 "
            + "GROUP BY application_name")
        .execute(Tuple.of(started.atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          Map<String, Long> byName = new HashMap<>();
          for (Row row : rows) {
            byName.put(row.getString(0), row.getLong(1));
          }
          return byName;
        });
  }
}
