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

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("sweeps");
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
