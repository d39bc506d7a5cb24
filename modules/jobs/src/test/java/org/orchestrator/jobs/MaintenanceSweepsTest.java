package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.dbadmin.testing.TestDatabase;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * The sweeps' UPDATEs do to every job what {@link JobTransitions#sweepStop} and
 * {@link JobTransitions#sweepKill} say, for a job in every state, handed out or not; and
 * {@link JobSql#active} holds exactly the jobs that give a robot a command.
 */
class MaintenanceSweepsTest {

  private static Vertx vertx;
  private static Pool pool;
  private static DatabaseEndpoint endpoint;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    endpoint = TestDatabase.newSchema("sweeps");
    Migrations.apply(endpoint, List.of("phase", "jobs"));
    pool = Pools.create(vertx, endpoint, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theStopSweepFollowsTheTransitionTable() throws Exception {
    sweepAgrees(1, sweeps -> sweeps.stopAll(1, null, false), JobTransitions::sweepStop);
  }

  @Test
  void theKillSweepFollowsTheTransitionTable() throws Exception {
    sweepAgrees(2, sweeps -> sweeps.killAll(2, null, false), JobTransitions::sweepKill);
  }

  /** A tenant's own window sweeps that tenant's jobs by the same table, and nobody else's. */
  @Test
  void aTenantsSweepsFollowTheTableForItAndTouchNoOtherTenant() throws Exception {
    sweepAgrees(5, sweeps -> {
      try {
        insertEveryCase(6);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return sweeps.stopAll(3, 5L, false);
    }, JobTransitions::sweepStop);
    assertEquals(0L, pool.query("SELECT count(*) FROM jobs WHERE tenant_id = 6 AND stop_window_id IS NOT NULL")
        .execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0), "tenant 6 untouched");
    sweepAgrees(5, sweeps -> sweeps.killAll(4, 5L, false), JobTransitions::sweepKill);
  }

  @Test
  void activeJobsAreExactlyThoseThatGiveARobotACommandOrBusyIt() throws Exception {
    long tenant = 3;
    Map<Long, Case> cases = insertEveryCase(tenant);
    List<Long> active = pool.preparedQuery("SELECT id FROM jobs WHERE tenant_id = $1 AND " + JobSql.ACTIVE)
        .execute(Tuple.of(tenant)).await(10, TimeUnit.SECONDS).stream().map(r -> r.getLong(0)).sorted().toList();
    List<Long> expected = cases.entrySet().stream()
        .filter(e -> JobState.HELD.contains(e.getValue().state())
            || e.getValue().state() == JobState.Pending && e.getValue().handedOut())
        .map(Map.Entry::getKey).sorted().toList();
    assertEquals(expected, active);
    cases.forEach((id, c) -> {
      boolean commanded = JobTransitions.command(c.state(), c.handedOut()).isPresent();
      if (commanded) {
        assertEquals(true, active.contains(id), c + " gives a command, so it must be active");
      }
    });
  }

  /**
   * A sweep and a group of job writes (decision 121) can lock the same rows in opposite orders: the
   * group holds one job and asks for another while the sweep holds that one and waits for the first.
   * PostgreSQL gives up the one that waited first, here the sweep; it runs again and stops nothing
   * the group ended, and the operator's Start never sees the deadlock.
   */
  @Test
  void aSweepThatMeetsAGroupOfJobWritesInADeadlockRunsAgain() throws Exception {
    long tenant = 8;
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id, state) "
          + "VALUES ($1, 'p', 9, 'Running') RETURNING id").execute(Tuple.of(tenant)).await(10, TimeUnit.SECONDS)
          .iterator().next().getLong(0));
    }
    // the group takes the middle job first: whichever way the sweep walks the three (by id up or
    // down, or the heap's order, which is the same here), it holds the first when it waits for it
    String end = "UPDATE jobs SET state = 'Successful', ended_at = now() WHERE id = ANY($1)";
    long deadlocksBefore = deadlocks();
    io.vertx.sqlclient.SqlConnection group = pool.getConnection().await(10, TimeUnit.SECONDS);
    // the pool's two connections are the group's and the sweep's
    Pool watcher = Pools.create(vertx, endpoint, 1);
    try {
      int groupPid = group.query("SELECT pg_backend_pid()").execute().await(10, TimeUnit.SECONDS).iterator().next()
          .getInteger(0);
      io.vertx.sqlclient.Transaction tx = group.begin().await(10, TimeUnit.SECONDS);
      group.preparedQuery(end).execute(Tuple.of(new Long[] {ids.get(1)})).await(10, TimeUnit.SECONDS);
      Future<SweepResult> sweep = new MaintenanceSweeps(pool).stopAll(10, tenant, false);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (watcher.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))")
          .execute(Tuple.of(groupPid)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0) == 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the sweep never waited for the group's job");
        }
        Thread.sleep(10);
      }
      // the group asks for the other two, one of which the sweep holds: a deadlock, broken in a second
      group.preparedQuery(end).execute(Tuple.of(new Long[] {ids.get(0), ids.get(2)})).await(10, TimeUnit.SECONDS);
      tx.commit().await(10, TimeUnit.SECONDS);
      assertEquals(0, sweep.await(10, TimeUnit.SECONDS).affected(), "the group ended all three; nothing left to stop");
      // and there was a deadlock to survive (the server's count, published within a second or so)
      while (deadlocks() == deadlocksBefore) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no deadlock happened: the test did not put the sweep through one");
        }
        Thread.sleep(50);
      }
    } finally {
      watcher.close();
      group.close();
    }
  }

  private static long deadlocks() throws Exception {
    return pool.query("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").execute()
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private record Case(JobState state, boolean handedOut) {
  }

  private void sweepAgrees(long tenant, java.util.function.Function<MaintenanceSweeps, Future<SweepResult>> sweep,
      BiFunction<JobState, Boolean, Optional<JobState>> table) throws Exception {
    // the sweeps touch every tenant's jobs: only this test's are in the table
    pool.query("DELETE FROM jobs").execute().await(10, TimeUnit.SECONDS);
    Map<Long, Case> cases = insertEveryCase(tenant);
    SweepResult result = sweep.apply(new MaintenanceSweeps(pool)).await(10, TimeUnit.SECONDS);
    Map<Long, JobState> after = new HashMap<>();
    for (Row row : pool.preparedQuery("SELECT id, state FROM jobs WHERE tenant_id = $1").execute(Tuple.of(tenant))
        .await(10, TimeUnit.SECONDS)) {
      after.put(row.getLong(0), JobState.valueOf(row.getString(1)));
    }
    long changed = 0;
    for (Map.Entry<Long, Case> e : cases.entrySet()) {
      Case c = e.getValue();
      JobState expected = table.apply(c.state(), c.handedOut()).orElse(c.state());
      assertEquals(expected, after.get(e.getKey()), c.toString());
      changed += expected != c.state() ? 1 : 0;
    }
    assertEquals(changed, result.affected(), "the sweep counts the jobs it changed");
  }

  private static Map<Long, Case> insertEveryCase(long tenant) throws Exception {
    Map<Long, Case> cases = new HashMap<>();
    for (JobState state : JobState.values()) {
      for (boolean handedOut : new boolean[] {false, true}) {
        long id = pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id, state, start_delivered_at) "
                + "VALUES ($1, 'p', 7, $2, CASE WHEN $3 THEN now() END) RETURNING id")
            .execute(Tuple.of(tenant, state.name(), handedOut)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
        cases.put(id, new Case(state, handedOut));
      }
    }
    return cases;
  }
}
