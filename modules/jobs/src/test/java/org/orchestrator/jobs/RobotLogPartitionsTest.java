package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * Every node makes the partitions ahead: nodes doing it at once make each one once and none fails;
 * a partition missing ahead is made again; a drop that cannot have its lock soon gives up instead of
 * queueing every log insert behind it.
 */
class RobotLogPartitionsTest {

  private static Vertx vertx;
  private static Pool node1;
  private static Pool node2;
  private static LocalDate today;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("log_partitions");
    Migrations.apply(endpoint, List.of("jobs"));
    node1 = Pools.create(vertx, endpoint, 2);
    node2 = Pools.create(vertx, endpoint, 2);
    today = node1.query("SELECT (now() AT TIME ZONE 'UTC')::date").execute().await(10, TimeUnit.SECONDS).iterator()
        .next().getLocalDate(0);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static long partitionsNamed(String like) throws Exception {
    return node1.preparedQuery("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            + "WHERE i.inhparent = 'robot_logs'::regclass AND c.relname LIKE $1")
        .execute(io.vertx.sqlclient.Tuple.of(like)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  @Test
  void nodesMakingPartitionsAtOnceMakeEachOnce() throws Exception {
    LocalDate first = today.minusDays(40);
    LocalDate last = today.minusDays(31);
    List<Future<List<String>>> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      all.add(new RobotLogPartitions(node1).create(first, last));
      all.add(new RobotLogPartitions(node2).create(first, last));
      all.add(new RobotLogPartitions(i % 2 == 0 ? node1 : node2).ensureAhead());
    }
    Future.all(new ArrayList<>(all)).await(60, TimeUnit.SECONDS);
    List<String> made = new ArrayList<>();
    all.forEach(f -> made.addAll(f.result()));
    assertEquals(10, made.size(), "each day made once: " + made);
    assertEquals(10, made.stream().distinct().count());
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      assertEquals(1L, partitionsNamed(RobotLogPartitions.name(day)));
    }
  }

  @Test
  void aPartitionMissingAheadIsMadeAgain() throws Exception {
    String last = RobotLogPartitions.name(today.plusDays(RobotLogPartitions.DAYS_AHEAD));
    node1.query("DROP TABLE " + last).execute().await(10, TimeUnit.SECONDS);
    assertEquals(List.of(last), new RobotLogPartitions(node1).ensureAhead().await(10, TimeUnit.SECONDS));
    assertEquals(List.of(), new RobotLogPartitions(node2).ensureAhead().await(10, TimeUnit.SECONDS));
  }

  @Test
  void aDropThatWaitsForItsLockGivesUpAndDropsNothing() throws Exception {
    LocalDate day = today.minusDays(60);
    String name = RobotLogPartitions.name(day);
    new RobotLogPartitions(node1).create(day, day).await(10, TimeUnit.SECONDS);
    SqlConnection reader = node2.getConnection().await(10, TimeUnit.SECONDS);
    try {
      // a long read of robot logs holds a lock the drop must wait for
      reader.query("BEGIN; LOCK TABLE robot_logs IN ACCESS SHARE MODE").execute().await(10, TimeUnit.SECONDS);
      long started = System.nanoTime();
      Failure failure = (Failure) assertThrowsCause(() -> new RobotLogPartitions(node1).drop(name)
          .await(30, TimeUnit.SECONDS));
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(FailureCode.UNAVAILABLE, failure.code(), failure.getMessage());
      assertTrue(waited < 15_000, "gave up after " + waited + " ms");
      assertEquals(1L, partitionsNamed(name));
    } finally {
      reader.query("ROLLBACK").execute().await(10, TimeUnit.SECONDS);
      reader.close().await(10, TimeUnit.SECONDS);
    }
    assertTrue(new RobotLogPartitions(node1).drop(name).await(30, TimeUnit.SECONDS).dropped());
    assertEquals(0L, partitionsNamed(name));
  }

  private interface Blocking {
    void run() throws Exception;
  }

  private static Throwable assertThrowsCause(Blocking blocking) {
    try {
      blocking.run();
    } catch (Exception e) {
      Throwable cause = e;
      while (!(cause instanceof Failure) && cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      assertTrue(cause instanceof Failure, "not a Failure: " + e);
      return cause;
    }
    throw new AssertionError("expected a failure");
  }
}
