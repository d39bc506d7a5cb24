package org.orchestrator.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.BiFunction;
import org.orchestrator.bench.ClosedLoop.Round;

/**
 * What a heartbeat in one statement gives (issue 35, decision 121, "heartbeat"): the database part
 * of a heartbeat without a list of running jobs, as shipped (one statement: the claim, the marking
 * of Stop and Kill as delivered and the answer, in data-modifying CTEs) and as before (a transaction:
 * BEGIN, the claim, the marking, the read of the commands, COMMIT), sent by 64 heartbeats at once
 * from one event loop on the node's pool size (8), in alternating rounds of 8 s, three a side. Two
 * cases: an idle robot while Draining (no claim: the window's heartbeats), and a busy robot when
 * work is allowed (the claim finds it busy: the steady state). 4,000 robots, half of them running a
 * job. The statements are this file's copies of JobRepository's (the old ones exist nowhere else).
 */
final class HeartbeatBenchmark {

  private static final String ACTIVE =
      "(state IN ('Running', 'Stopping', 'Terminating') OR (state = 'Pending' AND start_delivered_at IS NOT NULL))";
  private static final String MARK = """
      UPDATE jobs SET
        stop_delivered_at = CASE WHEN state = 'Stopping' THEN now() ELSE stop_delivered_at END,
        kill_delivered_at = CASE WHEN state = 'Terminating' THEN now() ELSE kill_delivered_at END
      WHERE robot_id = $1
        AND ((state = 'Stopping' AND stop_delivered_at IS NULL)
          OR (state = 'Terminating' AND kill_delivered_at IS NULL))""";
  private static final String NEXT = """
      SELECT id FROM jobs
      WHERE tenant_id = $2 AND state = 'Pending' AND start_delivered_at IS NULL
        AND (robot_id = $1 OR robot_id IS NULL)
        AND ($3::boolean OR process_name = ANY($4::text[]))
        AND NOT EXISTS (SELECT 1 FROM robot_cordons c WHERE c.robot_id = $1)
        AND NOT EXISTS (SELECT 1 FROM jobs busy WHERE busy.robot_id = $1 AND
          (busy.state IN ('Running', 'Stopping', 'Terminating') OR (busy.state = 'Pending' AND busy.start_delivered_at IS NOT NULL)))
      ORDER BY (robot_id IS NULL), id
      LIMIT 1
      FOR UPDATE SKIP LOCKED""";
  private static final String CLAIM_SET = """
      UPDATE jobs SET robot_id = $1, start_delivered_at = now(), updated_at = now()
      FROM next WHERE jobs.id = next.id AND maintenance_admits_start(jobs.tenant_id, jobs.process_name)""";
  private static final String ANSWER = "SELECT 0 AS part, id, state, process_name, start_delivered_at IS NOT NULL "
      + "AS handed_out FROM jobs WHERE robot_id = $1 AND " + ACTIVE;

  /** As shipped: one statement, without and with the claim. */
  private static final String SHIPPED_IDLE = "WITH marked AS (" + MARK + ")\n" + ANSWER + "\nORDER BY part, id";
  private static final String SHIPPED_CLAIM = "WITH next AS (" + NEXT + "), claimed AS (" + CLAIM_SET
      + " RETURNING jobs.id, jobs.state, jobs.process_name), marked AS (" + MARK + ")\n" + ANSWER
      + "\nUNION ALL SELECT 1, id, state, process_name, true FROM claimed\nORDER BY part, id";
  /** Before: the statements of the transaction. */
  private static final String BEFORE_CLAIM = "WITH next AS (" + NEXT + ") " + CLAIM_SET + " RETURNING jobs.id";
  private static final String BEFORE_ANSWER = ANSWER.replace("SELECT 0 AS part, ", "SELECT ") + " ORDER BY id";

  private static final int ROBOTS = 4_000;

  private HeartbeatBenchmark() {
  }

  static void run() throws Exception {
    int inFlight = 64;
    int seconds = Integer.getInteger("heartbeat.seconds", 8);
    try (ClosedLoop.Bench bench = ClosedLoop.Bench.open("bench_heartbeat", List.of("phase", "jobs"))) {
      Vertx vertx = bench.vertx();
      Pool pool = bench.pool();
      Pool stats = bench.stats();
      // robots 1..2000 run a job (busy), 2001..4000 have none (idle)
      pool.query("INSERT INTO jobs (tenant_id, process_name, robot_id, state, started_at, start_delivered_at) "
          + "SELECT 1, 'bench', r, 'Running', now(), now() FROM generate_series(1, " + ROBOTS / 2 + ") r").execute().await();
      pool.query("ANALYZE jobs").execute().await();
      long[] sequence = {0};
      // an idle robot while Draining: no claim
      BiFunction<Long, Integer, Future<?>> idleShipped = (n, sender) -> pool.preparedQuery(SHIPPED_IDLE)
          .execute(Tuple.of(idle(n)));
      BiFunction<Long, Integer, Future<?>> idleBefore = (n, sender) -> pool.withTransaction(tx -> mark(tx, idle(n))
          .compose(marked -> tx.preparedQuery(BEFORE_ANSWER).execute(Tuple.of(idle(n)))));
      row("an idle robot's heartbeat while Draining (no claim)", vertx, stats, inFlight, seconds, sequence,
          idleShipped, idleBefore);
      // a busy robot when work is allowed: the claim finds it busy
      BiFunction<Long, Integer, Future<?>> busyShipped = (n, sender) -> pool.preparedQuery(SHIPPED_CLAIM)
          .execute(claimParams(busy(n)));
      BiFunction<Long, Integer, Future<?>> busyBefore = (n, sender) -> pool.withTransaction(tx -> tx
          .preparedQuery(BEFORE_CLAIM).execute(claimParams(busy(n)))
          .compose(claimed -> mark(tx, busy(n)))
          .compose(marked -> tx.preparedQuery(BEFORE_ANSWER).execute(Tuple.of(busy(n)))));
      row("a busy robot's heartbeat, work allowed (the claim finds it busy)", vertx, stats, inFlight, seconds,
          sequence, busyShipped, busyBefore);
    }
  }

  private static long idle(long n) {
    return ROBOTS / 2 + 1 + n % (ROBOTS / 2);
  }

  private static long busy(long n) {
    return 1 + n % (ROBOTS / 2);
  }

  private static Tuple claimParams(long robot) {
    return Tuple.tuple().addLong(robot).addLong(1L).addBoolean(true).addArrayOfString(new String[0]);
  }

  private static Future<?> mark(SqlClient tx, long robot) {
    return tx.preparedQuery(MARK).execute(Tuple.of(robot));
  }

  private static void row(String what, Vertx vertx, Pool stats, int inFlight, int seconds, long[] sequence,
      BiFunction<Long, Integer, Future<?>> shipped, BiFunction<Long, Integer, Future<?>> before) {
    Benchmarks.Turns<Round> turns = ClosedLoop.ab(vertx, stats, inFlight, seconds, sequence, shipped, before);
    List<Round> a = turns.a();
    List<Round> b = turns.b();
    System.out.printf("| %s, %d in flight, pool of 8 (medians of 3 rounds of %d s) | one statement: %.0f/s, "
            + "p50 %.2f ms, p99 %.2f ms | a transaction (before): %.0f/s, p50 %.2f ms, p99 %.2f ms "
            + "| heartbeats/s %.2f, p99 %.2f | |%n", what, inFlight, seconds,
        ClosedLoop.median(a, Round::perSecond), ClosedLoop.median(a, Round::p50), ClosedLoop.median(a, Round::p99),
        ClosedLoop.median(b, Round::perSecond), ClosedLoop.median(b, Round::p50), ClosedLoop.median(b, Round::p99),
        ClosedLoop.median(a, Round::perSecond) / ClosedLoop.median(b, Round::perSecond),
        ClosedLoop.median(a, Round::p99) / ClosedLoop.median(b, Round::p99));
  }
}
