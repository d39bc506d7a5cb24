package org.orchestrator.bench;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.orchestrator.app.Api;
import org.orchestrator.app.Maintenance;
import org.orchestrator.app.Tenants;
import org.orchestrator.app.TestNode;
import org.orchestrator.dbadmin.EmbeddedPostgresForBenchmarks;
import org.orchestrator.dbadmin.EmbeddedPostgresServer;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.simulator.ProfiledRobot;

/**
 * What a durable embedded database costs (docs/benchmarks.md, "Durability"): two embedded servers
 * in one run, the shipped one ({@code fsync}, {@code synchronous_commit}, {@code full_page_writes}
 * on) and one with the library's defaults (all three off, as before issue 29), each with its own
 * node; the two take turns, so that both meet the same machine in the same minutes. Measured: log
 * ingest during Draining (lines/s), and a fleet of profiled robots at each step of a reduced
 * capacity ladder (requests/s, p50/p99), with the transactions and WAL flushes each side made.
 * {@code -Ddurability.steps=1000,2000,3500}, {@code -Ddurability.stepSeconds=15},
 * {@code -Ddurability.lever=commit_delay=1000,commit_siblings=5} adds a third side: the durable
 * server with those settings (a group-commit lever) on top.
 * {@code -Ddurability.server=postgresql://user@host:port/db} adds a side on that server instead of
 * an embedded one (in a schema of its own, dropped after): the embedded server against another
 * PostgreSQL build in the same minutes.
 */
final class DurabilityBenchmark {

  private record Side(String name, EmbeddedPostgresServer server, DatabaseEndpoint db, TestNode node, Pool pool,
      Api api, String host) {

    /** Commits in the node's database and WAL flushes (fsync calls) of the whole server so far. */
    long[] counters() {
      Row row = pool.query("SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), "
          + "(SELECT wal_sync FROM pg_stat_wal), (SELECT wal_bytes FROM pg_stat_wal)::bigint").execute().await()
          .iterator().next();
      return new long[] {row.getLong(0), row.getLong(1), row.getLong(2)};
    }
  }

  /** A round's figures: what it measured, and the counters' deltas over it. */
  private record Round(double value, double p50, double p99, long commits, long flushes, long walBytes,
      double seconds) {
  }

  private DurabilityBenchmark() {
  }

  static void run() throws Exception {
    int[] steps = java.util.Arrays.stream(System.getProperty("durability.steps", "1000,2000,3500").split(","))
        .mapToInt(Integer::parseInt).toArray();
    int stepSeconds = Integer.getInteger("durability.stepSeconds", 15);
    int largest = java.util.Arrays.stream(steps).max().orElse(0);
    List<Side> sides = new ArrayList<>();
    try {
      sides.add(side("durable (shipped)", Map.of(), largest));
      sides.add(side("not durable (before)", EmbeddedPostgresForBenchmarks.NOT_DURABLE, largest));
      String lever = System.getProperty("durability.lever");
      if (lever != null && !lever.isBlank()) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        for (String setting : lever.split(",")) {
          String[] pair = setting.split("=", 2);
          settings.put(pair[0].trim(), pair[1].trim());
        }
        sides.add(side("durable + " + lever, settings, largest));
      }
      String external = System.getProperty("durability.server");
      if (external != null && !external.isBlank()) {
        sides.add(side("external server", DatabaseEndpoint.fromUrl(external, "bench_durability_external"), null,
            largest));
      }
      for (Side side : sides) {
        Row row = side.pool().query("SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
            + "current_setting('full_page_writes'), current_setting('commit_delay'), current_setting('autovacuum'), "
            + "current_setting('shared_buffers'), version()").execute().await().iterator().next();
        System.err.printf("%s: fsync=%s synchronous_commit=%s full_page_writes=%s commit_delay=%s autovacuum=%s "
            + "shared_buffers=%s; %s%n", side.name(), row.getString(0), row.getString(1), row.getString(2),
            row.getString(3), row.getString(4), row.getString(5), row.getString(6));
      }
      ingest(sides);
      System.out.println();
      System.out.println("| robots | side | requests/s | p50 ms | p99 ms | commits/s | WAL flushes/s | WAL MB/s "
          + "| requests/s vs. not durable |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      for (int n : steps) {
        fleet(sides, n, stepSeconds);
      }
    } finally {
      for (Side side : sides) {
        side.pool().close().await();
        side.node().close();
        if (side.server() != null) {
          side.server().close();
        } else {
          TestDatabase.execute(side.db(), "DROP SCHEMA IF EXISTS " + side.db().schema() + " CASCADE");
        }
      }
    }
  }

  private static Side side(String name, Map<String, String> overrides, int largest) throws Exception {
    EmbeddedPostgresServer server = EmbeddedPostgresForBenchmarks.start(Files.createTempDirectory("bench-pg"),
        overrides);
    return side(name, server.endpoint("bench_durability"), server, largest);
  }

  /** A side whose node uses {@code db} (a new schema on it); {@code server} is the embedded one, or null. */
  private static Side side(String name, DatabaseEndpoint db, EmbeddedPostgresServer server, int largest)
      throws Exception {
    TestDatabase.execute(db, "DROP SCHEMA IF EXISTS " + db.schema() + " CASCADE");
    TestDatabase.execute(db, "CREATE SCHEMA " + db.schema());
    int maxConnections = Math.max(4_096, 2 * largest);
    JsonObject config = new JsonObject().put("http", new JsonObject().put("maxConnections", maxConnections)
        .put("maxConnectionsPerAddress", maxConnections));
    TestNode node = TestNode.start(db, Files.createTempDirectory("bench-durability"), config);
    Api api = node.api();
    return new Side(name, server, db, node, Pools.create(node.vertx(), db, 2), api, api.signInHostAdmin().await());
  }

  /** Benchmarks' ingest (8 robots, 50 batches of 500 lines each, during Draining) on each side in turn. */
  private static void ingest(List<Side> sides) throws Exception {
    List<Tenants.Fixture> tenants = new ArrayList<>();
    List<List<Long>> jobs = new ArrayList<>();
    for (Side side : sides) {
      Tenants.Fixture tenant = Tenants.create(side.api(), side.host(), "ingest", 8).await();
      List<Long> running = new ArrayList<>();
      for (Tenants.Robot robot : tenant.robots()) {
        running.add(robot.runJob(tenant.adminToken()).await());
      }
      new Maintenance(side.api(), side.host()).start("phase=Draining").await();
      tenants.add(tenant);
      jobs.add(running);
    }
    List<List<Round>> rounds = new ArrayList<>();
    sides.forEach(side -> rounds.add(new ArrayList<>()));
    for (int round = 0; round < 14; round++) {
      for (int turn = 0; turn < sides.size(); turn++) {
        // the sides take turns going first, so that none always meets the warmer machine
        int i = (turn + round) % sides.size();
        Side side = sides.get(i);
        long[] before = side.counters();
        long start = System.nanoTime();
        double rate = Benchmarks.ingestApi(tenants.get(i), jobs.get(i), 50, 500);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = side.counters();
        if (round >= 4) { // the first four are the JIT's
          rounds.get(i).add(new Round(rate, 0, 0, after[0] - before[0], after[1] - before[1], after[2] - before[2],
              seconds));
        }
      }
    }
    for (int i = 0; i < sides.size(); i++) {
      System.err.printf("ingest rounds, lines/s, %s: %s%n", sides.get(i).name(),
          rounds.get(i).stream().map(r -> String.format("%.0f", r.value())).toList());
      new Maintenance(sides.get(i).api(), sides.get(i).host()).end().await();
    }
    double baseline = median(rounds.get(1), Round::value);
    for (int i = 0; i < sides.size(); i++) {
      if (i == 1) {
        continue;
      }
      List<Round> mine = rounds.get(i);
      System.out.printf("| log ingest during Draining, lines/s: %s vs. not durable (WAL flushes per batch of 500 "
              + "lines: %.2f) | %.0f lines/s | %.0f lines/s | %.3f | >= 0.80 |%n", sides.get(i).name(),
          mine.stream().mapToLong(Round::flushes).sum() / (double) (mine.size() * 8 * 50),
          median(mine, Round::value), baseline, median(mine, Round::value) / baseline);
    }
  }

  /** {@code n} profiled robots on each side in turn, two rounds each, warm-up first. */
  private static void fleet(List<Side> sides, int n, int seconds) throws Exception {
    List<Tenants.Fixture> tenants = new ArrayList<>();
    for (Side side : sides) {
      Tenants.Fixture tenant = Tenants.create(side.api(), side.host(), "fleet-" + n, n).await();
      Api.expect(side.api().post("/api/Assets", tenant.adminToken(), new JsonObject().put("name", "endpoint")
          .put("type", "Text").put("value", "https://erp.example")).await(), 201).await();
      Benchmarks.giveEachAJob(side.pool(), tenant);
      tenants.add(tenant);
    }
    List<List<Round>> rounds = new ArrayList<>();
    sides.forEach(side -> rounds.add(new ArrayList<>()));
    for (int round = 0; round < 2; round++) {
      for (int turn = 0; turn < sides.size(); turn++) {
        int i = (turn + round) % sides.size();
        rounds.get(i).add(fleetRound(sides.get(i), tenants.get(i), seconds));
      }
    }
    double baseline = median(rounds.get(1), Round::value);
    for (int i = 0; i < sides.size(); i++) {
      List<Round> mine = rounds.get(i);
      double total = mine.stream().mapToDouble(Round::seconds).sum();
      System.out.printf("| %,d | %s | %.0f | %.1f | %.1f | %.0f | %.0f | %.2f | %.3f |%n", n, sides.get(i).name(),
          median(mine, Round::value), median(mine, Round::p50), median(mine, Round::p99),
          mine.stream().mapToLong(Round::commits).sum() / total, mine.stream().mapToLong(Round::flushes).sum() / total,
          mine.stream().mapToLong(Round::walBytes).sum() / total / 1e6, median(mine, Round::value) / baseline);
    }
  }

  private static Round fleetRound(Side side, Tenants.Fixture tenant, int seconds) throws Exception {
    io.vertx.core.Vertx robots = io.vertx.core.Vertx.vertx();
    try {
      ProfiledRobot.ProfileStats stats = new ProfiledRobot.ProfileStats();
      java.net.URI server = java.net.URI.create("http://127.0.0.1:" + side.node().port());
      for (Tenants.Robot robot : tenant.robots()) {
        robots.deployVerticle(new ProfiledRobot(server, Long.toString(robot.id()), robot.secret(), "endpoint", "work",
            stats, robot.id())).await();
      }
      Thread.sleep(10_000); // every robot signed in and on its rhythm (2,000 sign-ins take seconds)
      stats.drainMillis();
      long requests = Benchmarks.requests(stats);
      long[] before = side.counters();
      long start = System.nanoTime();
      Thread.sleep(seconds * 1_000L);
      double[] millis = stats.drainMillis();
      double elapsed = (System.nanoTime() - start) / 1e9;
      long[] after = side.counters();
      double rate = (Benchmarks.requests(stats) - requests) / elapsed;
      long unexpected = stats.unexpected.get() + stats.networkFailures.get();
      if (unexpected > 0) {
        System.err.printf("%s: %d unexpected answers: %s%n", side.name(), unexpected, stats.unexpectedSamples);
      }
      return new Round(rate, Benchmarks.p(millis, 0.5), Benchmarks.p(millis, 0.99), after[0] - before[0],
          after[1] - before[1], after[2] - before[2], elapsed);
    } finally {
      robots.close().await();
      Thread.sleep(2_000); // answers in flight when the robots stopped
    }
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> figure) {
    double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
    return values.length % 2 == 1 ? values[values.length / 2]
        : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
  }
}
