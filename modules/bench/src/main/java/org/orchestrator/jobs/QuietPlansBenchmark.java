package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.function.BiFunction;
import org.orchestrator.bench.Benchmarks;
import org.orchestrator.bench.ClosedLoop;
import org.orchestrator.bench.ClosedLoop.Round;
import org.orchestrator.platform.database.Pools;

/**
 * What the quiet heartbeats' own connection gives (issue 35, decision 127, "quiet-plans"): the jobs
 * module's {@link QuietHeartbeats} writing its groups on a connection that plans their statement once
 * ({@link Pools#genericPlans}, shipped) against the same on a connection with PostgreSQL's default,
 * which planned the statement anew for every small group in the capacity ladder (before). 4,000
 * robots, half of them with a job they are told to stop, as in Draining. Two cases, in alternating
 * rounds of {@code -DquietPlans.seconds} (default 6), three a side: 4 heartbeats in flight from one
 * event loop (groups of a few robots, as in the ladder's Draining) and 64 (large groups). In the
 * package of the code it measures.
 */
public final class QuietPlansBenchmark {

  private static final int ROBOTS = 4_000;

  private QuietPlansBenchmark() {
  }

  public static void run() throws Exception {
    int seconds = Integer.getInteger("quietPlans.seconds", 6);
    try (ClosedLoop.Bench bench = ClosedLoop.Bench.open("bench_quiet_plans", List.of("phase", "jobs"))) {
      Vertx vertx = bench.vertx();
      Pool pool = bench.pool();
      pool.query("INSERT INTO jobs (tenant_id, process_name, robot_id, state, started_at, start_delivered_at, "
          + "stop_requested_at) SELECT 1, 'bench', r, 'Stopping', now(), now(), now() FROM generate_series(1, "
          + ROBOTS / 2 + ") r").execute().await();
      pool.query("INSERT INTO jobs (tenant_id, process_name, robot_id, state, started_at, start_delivered_at, ended_at) "
          + "SELECT 1, 'bench', 1 + g % " + ROBOTS + ", 'Successful', now(), now(), now() "
          + "FROM generate_series(1, 100000) g").execute().await();
      pool.query("ANALYZE jobs").execute().await();
      Pool generic = Pools.genericPlans(vertx, bench.endpoint(), 1, JobControlVerticle.QUIET_HEARTBEATS);
      Pool custom = Pools.create(vertx, bench.endpoint(), 1);
      QuietHeartbeats.Alone notAlone = (tenantId, robotId) -> Future.failedFuture("a group was given up");
      QuietHeartbeats shipped = new QuietHeartbeats(generic, notAlone);
      QuietHeartbeats before = new QuietHeartbeats(custom, notAlone);
      long[] sequence = {0};
      for (int inFlight : new int[] {4, 64}) {
        Benchmarks.Turns<Round> turns = ClosedLoop.ab(vertx, bench.stats(), inFlight, seconds, sequence,
            heartbeat(shipped), heartbeat(before));
        double a = ClosedLoop.median(turns.a(), Round::perSecond);
        double b = ClosedLoop.median(turns.b(), Round::perSecond);
        long[] plannedOnce = plans(generic);
        long[] plannedByDefault = plans(custom);
        if (plannedOnce[1] != 0) {
          throw new IllegalStateException("the shipped side planned the statement for its values " + plannedOnce[1]
              + " times");
        }
        System.out.printf("| quiet heartbeats in groups, %d in flight from one event loop, one connection (medians "
                + "of 3 rounds of %d s) | planned once: %.0f/s, p50 %.2f ms, p99 %.2f ms | planned by PostgreSQL's "
                + "default (%d of %d groups so far planned for their robots): %.0f/s, p50 %.2f ms, p99 %.2f ms "
                + "| heartbeats/s %.2f, p50 %.2f | |%n", inFlight, seconds,
            a, ClosedLoop.median(turns.a(), Round::p50), ClosedLoop.median(turns.a(), Round::p99),
            plannedByDefault[1], plannedByDefault[0] + plannedByDefault[1],
            b, ClosedLoop.median(turns.b(), Round::p50), ClosedLoop.median(turns.b(), Round::p99), a / b,
            ClosedLoop.median(turns.a(), Round::p50) / ClosedLoop.median(turns.b(), Round::p50));
      }
    }
  }

  /** The group statement's generic and custom plans so far, on the pool's one connection. */
  private static long[] plans(Pool connection) {
    io.vertx.sqlclient.Row row = connection.query("SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
        + "FROM pg_prepared_statements WHERE starts_with(statement, 'WITH seen AS')").execute().await().iterator().next();
    return new long[] {row.getLong(0), row.getLong(1)};
  }

  /**
   * Heartbeat {@code n}: robot n's, among the 4,000 in turn (called on the round's event loop, as the
   * verticle calls it on its own).
   */
  private static BiFunction<Long, Integer, Future<?>> heartbeat(QuietHeartbeats quiet) {
    return (n, sender) -> quiet.heard(1, 1 + n % ROBOTS);
  }
}
