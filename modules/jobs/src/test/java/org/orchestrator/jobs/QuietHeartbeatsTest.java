package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.contracts.jobs.JobMessages.CommandType;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommand;
import org.orchestrator.contracts.phase.MaintenanceRules.Work;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.jobs.JobRepository.HeartbeatOutcome;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * The heartbeats that claim nothing, arriving at once, are answered in groups (decision 125): each
 * robot gets what it would have got alone (its Stop and Kill commands, marked delivered; nothing for
 * a job it runs or when it has none), every robot's presence is stored before its answer, and a
 * group the database fails fails each of its heartbeats without asking it again for each.
 */
@Timeout(60)
class QuietHeartbeatsTest {

  private static Vertx vertx;
  private static Pool pool;
  private static DatabaseEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    endpoint = TestDatabase.newSchema("quiet_heartbeats");
    Migrations.apply(endpoint, List.of("jobs"));
    pool = Pools.create(vertx, endpoint, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static long job(long robot, String state) throws Exception {
    return pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id, state, start_delivered_at) "
            + "VALUES (7, 'p', $1, $2, now()) RETURNING id")
        .execute(Tuple.of(robot, state)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  @Test
  void heartbeatsAtOnceEachGetTheirOwnCommandsInGroups() throws Exception {
    long stopping = job(1, "Stopping");
    long running = job(2, "Running");
    long terminating = job(4, "Terminating");
    long pending = job(5, "Pending"); // handed out, not yet reported: its StartJob again
    JobRepository jobs = new JobRepository(pool);
    Context context = vertx.getOrCreateContext();
    Map<Integer, Future<HeartbeatOutcome>> answers = new TreeMap<>();
    Promise<Void> sent = Promise.promise();
    context.runOnContext(v -> {
      for (int i = 0; i < 400; i++) {
        long robot = 1 + i % 50; // 50 robots, each heard 8 times, in one burst
        answers.put(i, jobs.heartbeat(7, robot, null, Work.NONE).compose(outcome -> stored(robot).map(outcome)));
      }
      sent.complete();
    });
    sent.future().await(10, TimeUnit.SECONDS);
    Future.all(new ArrayList<>(answers.values())).await(30, TimeUnit.SECONDS);
    answers.forEach((i, answer) -> {
      long robot = 1 + i % 50;
      List<RobotCommand> commands = answer.result().commands();
      List<RobotCommand> expected = robot == 1 ? List.of(new RobotCommand(CommandType.StopJob, stopping, "p"))
          : robot == 4 ? List.of(new RobotCommand(CommandType.KillJob, terminating, "p"))
          : robot == 5 ? List.of(new RobotCommand(CommandType.StartJob, pending, "p"))
          : List.of();
      assertEquals(expected, commands, "robot " + robot);
      assertTrue(answer.result().faulted().isEmpty());
    });
    assertEquals(50L, count("SELECT count(*) FROM robot_presence WHERE tenant_id = 7"), "every robot heard once a row");
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE id = " + stopping + " AND stop_delivered_at IS NOT NULL"));
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE id = " + terminating
        + " AND kill_delivered_at IS NOT NULL"));
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE id = " + running + " AND state = 'Running'"));
  }

  /**
   * On the node the groups are written on a connection of their own that plans their statement once
   * (decision 127): on the shared pool PostgreSQL planned it anew for every small group.
   */
  @Test
  void theGroupsStatementIsPlannedOnceOnItsOwnConnection() throws Exception {
    Pool own = Pools.genericPlans(vertx, endpoint, 1, JobControlVerticle.QUIET_HEARTBEATS);
    try {
      QuietHeartbeats quiet = new QuietHeartbeats(own, (tenantId, robotId) -> Future.failedFuture("not alone"));
      Context context = vertx.getOrCreateContext();
      for (long robot = 9001; robot <= 9008; robot++) {
        long heard = robot;
        Promise<List<RobotCommand>> answer = Promise.promise();
        context.runOnContext(v -> quiet.heard(8, heard).onComplete(answer));
        assertEquals(List.of(), answer.future().await(10, TimeUnit.SECONDS));
      }
      PlannedOnce.assertPlannedOnce(own, "WITH seen AS", 8);
      assertEquals(8L, count("SELECT count(*) FROM robot_presence WHERE tenant_id = 8"));
    } finally {
      own.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGroupTheDatabaseFailsFailsEachOfItsHeartbeatsAndTheNextGroupIsWritten() throws Exception {
    DatabaseEndpoint empty = TestDatabase.newSchema("quiet_missing");
    Pool bare = Pools.create(vertx, empty, 2);
    try {
      List<Long> aloneFor = new ArrayList<>();
      // no tables in this schema yet: the group's statement fails, and not for a deadlock, so no
      // heartbeat of it becomes a statement of its own (a failing database is not asked N times)
      QuietHeartbeats quiet = new QuietHeartbeats(bare, (tenantId, robotId) -> {
        aloneFor.add(robotId);
        return Future.succeededFuture(List.of());
      });
      Context context = vertx.getOrCreateContext();
      List<Future<List<RobotCommand>>> answers = new ArrayList<>();
      Promise<Void> sent = Promise.promise();
      context.runOnContext(v -> {
        for (long robot = 1; robot <= 20; robot++) {
          answers.add(quiet.heard(7, robot));
        }
        sent.complete();
      });
      sent.future().await(10, TimeUnit.SECONDS);
      Future.join(new ArrayList<>(answers)).otherwiseEmpty().await(30, TimeUnit.SECONDS);
      assertTrue(answers.stream().allMatch(Future::failed), "a heartbeat whose presence was not stored fails");
      assertEquals(List.of(), aloneFor);

      Migrations.apply(empty, List.of("jobs"));
      Promise<List<RobotCommand>> later = Promise.promise();
      context.runOnContext(v -> quiet.heard(7, 3).onComplete(later));
      assertEquals(List.of(), later.future().await(10, TimeUnit.SECONDS));
      assertEquals(1L, bare.query("SELECT count(*) FROM robot_presence").execute().await(10, TimeUnit.SECONDS)
          .iterator().next().getLong(0));
    } finally {
      bare.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A group PostgreSQL gives up to break a deadlock is answered heartbeat by heartbeat, as each
   * would have been alone (decision 125). The deadlock is made on purpose: a transaction holds robot
   * 9102's presence row while the group {9101, 9102} has locked 9101's and waits for 9102's, then
   * asks for 9101's. Its {@code deadlock_timeout} is long, so PostgreSQL's check runs in the group's
   * backend, which gives the group up. (The first group, {9100}, waits on a row the transaction
   * holds in a savepoint: it keeps the writer busy while the two robots join one group.)
   */
  @Test
  void aGroupGivenUpForADeadlockAnswersEachHeartbeatAlone() throws Exception {
    long stopping = job(9102, "Stopping");
    pool.query("INSERT INTO robot_presence (robot_id, tenant_id, last_heartbeat_at) "
        + "VALUES (9100, 9, now()), (9101, 9, now()), (9102, 9, now())").execute().await(10, TimeUnit.SECONDS);
    Pool own = Pools.create(vertx, endpoint, 1);
    io.vertx.sqlclient.SqlConnection blocker = pool.getConnection().await(10, TimeUnit.SECONDS);
    try {
      int groupPid = own.query("SELECT pg_backend_pid()").execute().await(10, TimeUnit.SECONDS)
          .iterator().next().getInteger(0);
      JobRepository elsewhere = new JobRepository(pool);
      List<Long> aloneFor = new java.util.concurrent.CopyOnWriteArrayList<>();
      QuietHeartbeats quiet = new QuietHeartbeats(own, (tenantId, robotId) -> {
        aloneFor.add(robotId);
        return elsewhere.heartbeat(tenantId, robotId, null, Work.NONE).map(HeartbeatOutcome::commands);
      });
      blocker.begin().await(10, TimeUnit.SECONDS);
      blocker.query("SET LOCAL deadlock_timeout = '60s'").execute().await(10, TimeUnit.SECONDS);
      blocker.query("UPDATE robot_presence SET last_heartbeat_at = now() WHERE robot_id = 9102").execute()
          .await(10, TimeUnit.SECONDS);
      blocker.query("SAVEPOINT first").execute().await(10, TimeUnit.SECONDS);
      blocker.query("UPDATE robot_presence SET last_heartbeat_at = now() WHERE robot_id = 9100").execute()
          .await(10, TimeUnit.SECONDS);

      Context context = vertx.getOrCreateContext();
      Promise<List<RobotCommand>> first = Promise.promise();
      context.runOnContext(v -> quiet.heard(9, 9100).onComplete(first));
      waitingFor(groupPid);
      List<Future<List<RobotCommand>>> pair = new ArrayList<>();
      Promise<Void> queued = Promise.promise();
      context.runOnContext(v -> {
        pair.add(quiet.heard(9, 9101));
        pair.add(quiet.heard(9, 9102));
        queued.complete();
      });
      queued.future().await(10, TimeUnit.SECONDS);
      blocker.query("ROLLBACK TO SAVEPOINT first").execute().await(10, TimeUnit.SECONDS);
      assertEquals(List.of(), first.future().await(10, TimeUnit.SECONDS));
      waitingFor(groupPid); // the pair's group holds 9101 and waits for 9102
      // the cycle: PostgreSQL gives the group up, so this update gets 9101
      blocker.query("UPDATE robot_presence SET last_heartbeat_at = now() WHERE robot_id = 9101").execute()
          .await(30, TimeUnit.SECONDS);
      blocker.query("COMMIT").execute().await(10, TimeUnit.SECONDS);

      assertEquals(List.of(), pair.get(0).await(30, TimeUnit.SECONDS));
      assertEquals(List.of(new RobotCommand(CommandType.StopJob, stopping, "p")), pair.get(1).await(30, TimeUnit.SECONDS));
      assertEquals(List.of(9101L, 9102L), aloneFor.stream().sorted().toList(), "each answered alone, 9100 not");
    } finally {
      blocker.close().await(10, TimeUnit.SECONDS);
      own.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Until the backend {@code pid} waits for a lock. */
  private static void waitingFor(int pid) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pool.preparedQuery("SELECT count(*) FROM pg_locks WHERE pid = $1 AND NOT granted").execute(Tuple.of(pid))
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0) == 0) {
      assertTrue(System.nanoTime() < deadline, "backend " + pid + " never waited for a lock");
      Thread.sleep(20);
    }
  }

  private static long count(String sql) throws Exception {
    return pool.query(sql).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  /** Fails unless the robot's presence is stored (asked once its heartbeat was answered). */
  private static Future<Void> stored(long robot) {
    return pool.preparedQuery("SELECT count(*) FROM robot_presence WHERE robot_id = $1").execute(Tuple.of(robot))
        .map(rows -> {
          if (rows.iterator().next().getLong(0) != 1L) {
            throw new AssertionError("robot " + robot + " answered before its presence was stored");
          }
          return null;
        });
  }
}
