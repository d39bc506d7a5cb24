package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * The dead-robot sweep judges silent robots, except those of the tenants it is told to spare
 * (their own Suspended window cut them off): their jobs and queue items are left as they are.
 */
class SilentRobotsTest {

  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("silent_robots");
    Migrations.apply(endpoint, List.of("jobs"));
    pool = Pools.create(vertx, endpoint, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static long count(String sql, Object... params) throws Exception {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  @Test
  void aSparedTenantsSilentRobotsKeepTheirJobsAndItems() throws Exception {
    // robots 11 (tenant 1, spared) and 22 (tenant 2), both silent for ten minutes, each running a
    // job and holding a queue item
    for (long[] robot : new long[][] {{11, 1}, {22, 2}}) {
      pool.preparedQuery("INSERT INTO robot_presence (robot_id, tenant_id, last_heartbeat_at) "
          + "VALUES ($1, $2, now() - interval '10 minutes')").execute(Tuple.of(robot[0], robot[1]))
          .await(10, TimeUnit.SECONDS);
      pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id, state, start_delivered_at) "
          + "VALUES ($2, 'p', $1, 'Running', now())").execute(Tuple.of(robot[0], robot[1])).await(10, TimeUnit.SECONDS);
      pool.preparedQuery("INSERT INTO queue_items (tenant_id, queue_name, payload, robot_id, status, "
          + "processing_robot_id, started_at) VALUES ($2, 'q', '{}'::jsonb, $1, 'InProgress', $1, now())")
          .execute(Tuple.of(robot[0], robot[1])).await(10, TimeUnit.SECONDS);
    }
    List<JobRepository.Faulted> faulted = new JobRepository(pool).faultJobsOfDeadRobots(120, List.of(1L))
        .await(10, TimeUnit.SECONDS);
    int released = new QueueItemRepository(pool).releaseItemsOfSilentRobots(120, List.of(1L))
        .await(10, TimeUnit.SECONDS);
    assertEquals(1, faulted.size());
    assertEquals(1, released);
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE tenant_id = 1 AND state = 'Running'"), "spared");
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE tenant_id = 2 AND state = 'Faulted'"));
    assertEquals(1L, count("SELECT count(*) FROM queue_items WHERE tenant_id = 1 AND status = 'InProgress'"), "spared");
    assertEquals(1L, count("SELECT count(*) FROM queue_items WHERE tenant_id = 2 AND status = 'New'"));
    // nobody spared: both judged
    assertEquals(1, new JobRepository(pool).faultJobsOfDeadRobots(120, List.of()).await(10, TimeUnit.SECONDS).size());
  }
}
