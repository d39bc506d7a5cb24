package org.orchestrator.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Function;
import org.orchestrator.platform.database.GroupCommit;
import org.orchestrator.bench.ClosedLoop.Round;

/**
 * What committing the robots' queue writes in groups gives (issue 35, "queue-commit"): the statement
 * of a robot's queue add ({@code INSERT ... ON CONFLICT DO NOTHING RETURNING id}) sent by
 * {@code -DqueueCommit.inFlight} writers at once (default 64, each sending its next add when the
 * last is answered) from one event loop, as the jobs verticle does, on the node's pool size (8):
 * through {@link GroupCommit} (shipped) and each in its own transaction (before), in alternating
 * rounds of {@code -DqueueCommit.seconds} (default 8), three a side. Measured: adds a second, p50
 * and p99 of an add, and the WAL flushes and commits each side made.
 */
final class QueueCommitBenchmark {

  private static final String ADD = """
      INSERT INTO queue_items (tenant_id, queue_name, reference, payload, robot_id) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (tenant_id, queue_name, reference) WHERE reference IS NOT NULL DO NOTHING
      RETURNING id""";

  private QueueCommitBenchmark() {
  }

  static void run() throws Exception {
    int inFlight = Integer.getInteger("queueCommit.inFlight", 64);
    int seconds = Integer.getInteger("queueCommit.seconds", 8);
    try (ClosedLoop.Bench bench = ClosedLoop.Bench.open("bench_queue_commit", List.of("jobs"))) {
      Vertx vertx = bench.vertx();
      Pool pool = bench.pool();
      Pool stats = bench.stats();
      GroupCommit group = new GroupCommit(pool);
      Function<Function<SqlClient, Future<Long>>, Future<Long>> grouped = group::submit;
      Function<Function<SqlClient, Future<Long>>, Future<Long>> alone = work -> work.apply(pool);
      long[] sequence = {0};
      round(vertx, stats, grouped, inFlight, 3, sequence); // warm-up of both
      round(vertx, stats, alone, inFlight, 3, sequence);
      Benchmarks.Turns<Round> turns = Benchmarks.takingTurns(3,
          () -> round(vertx, stats, grouped, inFlight, seconds, sequence),
          () -> round(vertx, stats, alone, inFlight, seconds, sequence));
      List<Round> shipped = turns.a();
      List<Round> before = turns.b();
      long[] grouping = group.grouping();
      System.out.printf("| queue adds, %d in flight from one event loop, pool of 8 (medians of 3 rounds of %d s) "
              + "| group commit: %.0f adds/s, p50 %.2f ms, p99 %.2f ms, %.0f WAL flushes/s, %.0f commits/s "
              + "| one transaction each: %.0f adds/s, p50 %.2f ms, p99 %.2f ms, %.0f WAL flushes/s, %.0f commits/s "
              + "| adds/s %.2f, p99 %.2f | writes per group %.1f |%n", inFlight, seconds,
          ClosedLoop.median(shipped, Round::perSecond), ClosedLoop.median(shipped, Round::p50), ClosedLoop.median(shipped, Round::p99),
          ClosedLoop.median(shipped, Round::flushesPerSecond), ClosedLoop.median(shipped, Round::commitsPerSecond),
          ClosedLoop.median(before, Round::perSecond), ClosedLoop.median(before, Round::p50), ClosedLoop.median(before, Round::p99),
          ClosedLoop.median(before, Round::flushesPerSecond), ClosedLoop.median(before, Round::commitsPerSecond),
          ClosedLoop.median(shipped, Round::perSecond) / ClosedLoop.median(before, Round::perSecond),
          ClosedLoop.median(shipped, Round::p99) / ClosedLoop.median(before, Round::p99),
          grouping[0] == 0 ? 0 : grouping[1] / (double) grouping[0]);
    }
  }

  private static Round round(Vertx vertx, Pool stats, Function<Function<SqlClient, Future<Long>>, Future<Long>> send,
      int inFlight, int seconds, long[] sequence) {
    return ClosedLoop.round(vertx, stats, inFlight, seconds, sequence, (n, writer) -> send.apply(client ->
        client.preparedQuery(ADD).execute(Tuple.of(1L, "bench", "ref-" + n, new JsonObject().put("n", n), (long) writer))
            .map(rows -> rows.iterator().next().getLong(0))));
  }


}
