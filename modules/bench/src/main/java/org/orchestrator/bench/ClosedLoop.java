package org.orchestrator.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * A closed-loop load on the database from one event loop, as the jobs verticle sends it: {@code
 * inFlight} senders, each sending its next request when the last is answered, for a round of some
 * seconds. Measured: requests a second, p50 and p99 of a request, and the server's commits and WAL
 * flushes a second meanwhile. Used by the A/B benchmarks of database statements (queue-commit,
 * heartbeat, log-group), each side in its own rounds, taking turns.
 */
public final class ClosedLoop {

  /** One round's figures. */
  public record Round(double perSecond, double p50, double p99, double flushesPerSecond, double commitsPerSecond) {
  }

  private ClosedLoop() {
  }

  /**
   * What such a benchmark runs on: a Vert.x, a new schema with the migrations of {@code modules},
   * the node's pool size (8) and a pool of one for the server's counters, and where the schema is
   * (for a pool of the benchmark's own); closed with the Vert.x.
   */
  public record Bench(Vertx vertx, Pool pool, Pool stats, DatabaseEndpoint endpoint) implements AutoCloseable {

    public static Bench open(String label, List<String> modules) {
      Vertx vertx = Vertx.vertx();
      DatabaseEndpoint db = TestDatabase.newSchema(label);
      Migrations.apply(db, modules);
      return new Bench(vertx, Pools.create(vertx, db, 8), Pools.create(vertx, db, 1), db);
    }

    @Override
    public void close() throws Exception {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A round of {@code seconds}: {@code request} is given the request's sequence number (unique
   * across rounds through {@code sequence}) and its sender's index.
   */
  public static Round round(Vertx vertx, Pool stats, int inFlight, int seconds, long[] sequence,
      BiFunction<Long, Integer, Future<?>> request) {
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
        int sender = w;
        new Object() {
          void next() {
            if (System.nanoTime() >= until) {
              if (--running[0] == 0) {
                done.complete();
              }
              return;
            }
            long at = System.nanoTime();
            request.apply(sequence[0]++, sender).onComplete(answered -> {
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

  /**
   * An A/B of two kinds of request: a warm-up round of 3 s each, then three rounds of {@code
   * seconds} a side, taking turns.
   */
  public static Benchmarks.Turns<Round> ab(Vertx vertx, Pool stats, int inFlight, int seconds, long[] sequence,
      BiFunction<Long, Integer, Future<?>> a, BiFunction<Long, Integer, Future<?>> b) {
    round(vertx, stats, inFlight, 3, sequence, a);
    round(vertx, stats, inFlight, 3, sequence, b);
    return Benchmarks.takingTurns(3, () -> round(vertx, stats, inFlight, seconds, sequence, a),
        () -> round(vertx, stats, inFlight, seconds, sequence, b));
  }

  /** Commits in the database and WAL flushes of the server so far. */
  private static long[] counters(Pool stats) {
    Row row = stats.query("SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), "
        + "(SELECT wal_sync FROM pg_stat_wal)").execute().await().iterator().next();
    return new long[] {row.getLong(0), row.getLong(1)};
  }

  public static double median(List<Round> rounds, ToDoubleFunction<Round> figure) {
    return Benchmarks.median(rounds.stream().map(round -> figure.applyAsDouble(round)).toList());
  }
}
