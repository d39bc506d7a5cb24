package org.orchestrator.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.GroupCommit;
import org.orchestrator.platform.database.Pools;

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

  private record Round(double perSecond, double p50, double p99, double flushesPerSecond, double commitsPerSecond) {
  }

  private QueueCommitBenchmark() {
  }

  static void run() throws Exception {
    int inFlight = Integer.getInteger("queueCommit.inFlight", 64);
    int seconds = Integer.getInteger("queueCommit.seconds", 8);
    Vertx vertx = Vertx.vertx();
    DatabaseEndpoint db = TestDatabase.newSchema("bench_queue_commit");
    Migrations.apply(db, List.of("jobs"));
    Pool pool = Pools.create(vertx, db, 8);
    Pool stats = Pools.create(vertx, db, 1);
    try {
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
          median(shipped, Round::perSecond), median(shipped, Round::p50), median(shipped, Round::p99),
          median(shipped, Round::flushesPerSecond), median(shipped, Round::commitsPerSecond),
          median(before, Round::perSecond), median(before, Round::p50), median(before, Round::p99),
          median(before, Round::flushesPerSecond), median(before, Round::commitsPerSecond),
          median(shipped, Round::perSecond) / median(before, Round::perSecond),
          median(shipped, Round::p99) / median(before, Round::p99),
          grouping[0] == 0 ? 0 : grouping[1] / (double) grouping[0]);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Round round(Vertx vertx, Pool stats, Function<Function<SqlClient, Future<Long>>, Future<Long>> send,
      int inFlight, int seconds, long[] sequence) {
    long[] before = counters(stats);
    long[] latencies = new long[4_000_000];
    int[] used = {0};
    long started = System.nanoTime();
    long until = started + seconds * 1_000_000_000L;
    Context context = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    int[] running = {inFlight};
    context.runOnContext(v -> {
      for (int w = 0; w < inFlight; w++) {
        int writer = w;
        new Object() {
          void next() {
            if (System.nanoTime() >= until) {
              if (--running[0] == 0) {
                done.complete();
              }
              return;
            }
            long at = System.nanoTime();
            long n = sequence[0]++;
            send.apply(client -> client.preparedQuery(ADD)
                    .execute(Tuple.of(1L, "bench", "ref-" + n, new JsonObject().put("n", n), (long) writer))
                    .map(rows -> rows.iterator().next().getLong(0)))
                .onComplete(answered -> {
                  if (answered.failed()) {
                    done.tryFail(answered.cause());
                    return;
                  }
                  if (used[0] < latencies.length) {
                    latencies[used[0]++] = System.nanoTime() - at;
                  }
                  next();
                });
          }
        }.next();
      }
    });
    try {
      done.future().await(seconds + 60L, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("a round of " + seconds + " s did not end within a minute more", e);
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    long[] after = counters(stats);
    long[] sorted = Arrays.copyOf(latencies, used[0]);
    Arrays.sort(sorted);
    return new Round(used[0] / elapsed, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
        (after[1] - before[1]) / elapsed, (after[0] - before[0]) / elapsed);
  }

  /** Commits in the database and WAL flushes of the server so far. */
  private static long[] counters(Pool stats) {
    Row row = stats.query("SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), "
        + "(SELECT wal_sync FROM pg_stat_wal)").execute().await().iterator().next();
    return new long[] {row.getLong(0), row.getLong(1)};
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> figure) {
    return Benchmarks.median(rounds.stream().map(round -> figure.applyAsDouble(round)).toList());
  }
}
