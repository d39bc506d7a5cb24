package org.orchestrator.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.app.Api;
import org.orchestrator.app.Tenants;
import org.orchestrator.app.TestNode;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.jobs.RobotLogPartitions;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.simulator.ProfiledRobot;

/**
 * What a retention run costs (docs/benchmarks.md, "Retention"): {@code retention.lines} robot log
 * lines (10 million), spread over the 10 days before today, alternately tenant A's and B's. After
 * each side the rows it removed are written again, so that every side meets the same table.
 *
 * <ul>
 *   <li>Whole days: the host keeps 5 days, so the expired half fills five day partitions. The run
 *       (archive on, archive off) against a bare {@code DELETE} of the same rows and a {@code DROP}
 *       of their partitions.
 *   <li>Row by row: A keeps 1 day and B (with the host) 30, so A's lines of the days 2 to 10 before
 *       today (45%) are deleted row by row from partitions that stay. The run (archive off) against a
 *       bare {@code DELETE} of the same rows.
 *   <li>Beside robots: {@code retention.robots} (2,000) profiled robots of a third tenant working
 *       while a run archives and deletes a million of A's lines row by row: their p99 during the
 *       run against before and after it, with the run unpaced and then paced as shipped
 *       ({@code retention.maxRowsPerSecond}; the node restarted between the two).
 * </ul>
 * The node's own runs are unpaced in the first two parts: they measure what the run's work costs.
 */
final class RetentionBenchmark {

  private static final String MESSAGE = "step of a simulated process, with a message of typical length";

  private final DatabaseEndpoint db;
  private final Path dataDir;
  private final Path archive;
  private final JsonObject config;
  private final int lines;
  private TestNode node;
  private Api api;
  private String host;
  private Pool pool;
  private LocalDate today;
  private Tenants.Fixture a;
  private Tenants.Fixture b;

  private RetentionBenchmark(DatabaseEndpoint db, Path dataDir, JsonObject config, int lines) {
    this.db = db;
    this.dataDir = dataDir;
    this.archive = dataDir.resolve("archive");
    this.config = config;
    this.lines = lines;
  }

  static void run() throws Exception {
    int lines = Integer.getInteger("retention.lines", 10_000_000);
    int robots = Integer.getInteger("retention.robots", 2_000);
    DatabaseEndpoint db = TestDatabase.newSchema("bench_retention");
    Path dataDir = Files.createTempDirectory("bench-retention");
    int maxConnections = Math.max(4_096, 2 * robots);
    // runs every hour at most on their own: the benchmark's requests start them
    JsonObject config = new JsonObject()
        .put("http", new JsonObject().put("maxConnections", maxConnections).put("maxConnectionsPerAddress",
            maxConnections))
        .put("retention", new JsonObject().put("intervalSeconds", 3_600));
    RetentionBenchmark bench = new RetentionBenchmark(db, dataDir, config, lines);
    try {
      bench.start(0);
      bench.measure(robots);
    } finally {
      bench.stop();
      deleteTree(dataDir);
    }
  }

  private void start(int maxRowsPerSecond) throws Exception {
    JsonObject settings = config.copy();
    if (maxRowsPerSecond >= 0) {
      settings.getJsonObject("retention").put("maxRowsPerSecond", maxRowsPerSecond);
    }
    node = TestNode.start(db, dataDir, settings);
    api = node.api();
    host = api.signInHostAdmin().await();
    pool = Pools.create(node.vertx(), db, 4);
  }

  private void stop() throws Exception {
    pool.close().await();
    node.close();
  }

  private void measure(int robots) throws Exception {
    a = Tenants.create(api, host, "keeps-one-day", 1).await();
    b = Tenants.create(api, host, "keeps-thirty-days", 1).await();
    today = pool.query("SELECT (now() AT TIME ZONE 'UTC')::date").execute().await().iterator().next()
        .getLocalDate(0);
    long perDay = lines / 10;
    long wholeDays = 5 * perDay;
    long rowByRow = 9 * (perDay / 2);
    System.out.printf("%n%,d robot log lines over 10 days; rows/s are the expired rows over the time taken%n%n",
        10 * perDay);
    List<String> parts = List.of(System.getProperty("retention.parts", "days,rows,fleet").split(","));
    System.out.println("| what | expired rows | seconds | rows/s | vs. bare DELETE | vs. DROP |");
    System.out.println("|---|---|---|---|---|---|");
    if (parts.contains("days") || parts.contains("rows")) {
      write(1, 10, true);
    }
    if (parts.contains("days")) {
      wholeDays(wholeDays);
    }
    if (parts.contains("rows")) {
      rowByRow(rowByRow);
    }
    if (parts.contains("fleet")) {
      beside(robots, perDay);
    }
  }

  private void wholeDays(long wholeDays) throws Exception {
    // whole days: everyone keeps 5 days
    policy("", new JsonObject().put("robotLogsDays", 5).put("finishedJobsDays", 30).put("queueItemsDays", 30)
        .put("webhookDeliveriesDays", 30).put("archive", true));
    double bareDelete = timed(() -> execute("DELETE FROM robot_logs WHERE received_at < now() - interval '5 days'"));
    write(6, 10, true);
    List<String> expiredDays = new ArrayList<>();
    for (int back = 6; back <= 10; back++) {
      expiredDays.add(RobotLogPartitions.name(today.minusDays(back)));
    }
    double drop = timed(() -> execute("DROP TABLE " + String.join(", ", expiredDays)));
    write(6, 10, true);
    double runArchived = runSeconds(true);
    write(6, 10, true);
    double runBare = runSeconds(false);
    row("whole days: bare DELETE", wholeDays, bareDelete, bareDelete, drop);
    row("whole days: DROP of their five partitions", wholeDays, drop, bareDelete, drop);
    row("whole days: retention run, archive off", wholeDays, runBare, bareDelete, drop);
    row("whole days: retention run, archive on", wholeDays, runArchived, bareDelete, drop);
    write(6, 10, true);
  }

  private void rowByRow(long rowByRow) throws Exception {
    // row by row: A keeps 1 day, B (the host's) 30; A's lines of the days 2 to 10 expire
    policy("", new JsonObject().put("robotLogsDays", 30).put("finishedJobsDays", 30).put("queueItemsDays", 30)
        .put("webhookDeliveriesDays", 30).put("archive", true));
    policy("?tenantId=" + a.id(), new JsonObject().put("robotLogsDays", 1));
    double rowDelete = timed(() -> execute("DELETE FROM robot_logs WHERE tenant_id = " + a.id()
        + " AND received_at < now() - interval '1 day'"));
    write(2, 10, false);
    double rowRun = runSeconds(false);
    write(2, 10, false);
    double rowRunArchived = runSeconds(true);
    row("row by row: bare DELETE", rowByRow, rowDelete, rowDelete, Double.NaN);
    row("row by row: retention run, archive off", rowByRow, rowRun, rowDelete, Double.NaN);
    row("row by row: retention run, archive on", rowByRow, rowRunArchived, rowDelete, Double.NaN);
  }

  /**
   * Beside robots: A's lines of the days 2 and 3 (a million of 10 million) archived and deleted by a
   * run at each pace of {@code retention.paces} (0: unpaced; default: unpaced and as shipped), the
   * node restarted with each.
   */
  private void beside(int robots, long perDay) throws Exception {
    policy("", new JsonObject().put("robotLogsDays", 30).put("finishedJobsDays", 30).put("queueItemsDays", 30)
        .put("webhookDeliveriesDays", 30));
    policy("?tenantId=" + a.id(), new JsonObject().put("robotLogsDays", 1));
    long beside = 2 * (perDay / 2);
    Tenants.Fixture fleet = Tenants.create(api, host, "fleet", robots).await();
    Api.expect(api.post("/api/Assets", fleet.adminToken(), new JsonObject().put("name", "endpoint")
        .put("type", "Text").put("value", "https://erp.example")).await(), 201).await();
    System.out.printf("%n| %,d robots working, a run archiving %,d rows | run s | p99 before | p99 during | "
        + "p99 after | p50 before / during / after | unexpected | p99 during vs. the worse of before and after "
        + "(target <= 1.2) |%n|---|---|---|---|---|---|---|---|%n", robots, beside);
    for (String pace : System.getProperty("retention.paces", "0," + OrchestratorConfig.DEFAULT_RETENTION_ROWS_PER_SECOND)
        .split(",")) {
      int rowsPerSecond = Integer.parseInt(pace.trim());
      stop();
      start(rowsPerSecond);
      write(2, 3, false);
      fleet(fleet, rowsPerSecond == 0 ? "unpaced" : String.format("paced: %,d rows/s", rowsPerSecond), beside);
    }
  }

  /** The robots' latency before, during and after a run (archive on, row by row). */
  private void fleet(Tenants.Fixture fleet, String name, long rows) throws Exception {
    Benchmarks.giveEachAJob(pool, fleet);
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      ProfiledRobot.ProfileStats stats = new ProfiledRobot.ProfileStats();
      java.net.URI server = java.net.URI.create("http://127.0.0.1:" + node.port());
      for (Tenants.Robot robot : fleet.robots()) {
        vertx.deployVerticle(new ProfiledRobot(server, Long.toString(robot.id()), robot.secret(), "endpoint", "work",
            stats, robot.id())).await();
      }
      Thread.sleep(15_000); // every robot signed in and on its rhythm
      stats.drainMillis();
      Thread.sleep(20_000);
      double[] before = stats.drainMillis();
      double seconds = runSeconds(true);
      double[] during = stats.drainMillis();
      Thread.sleep(20_000);
      double[] after = stats.drainMillis();
      long unexpected = stats.unexpected.get() + stats.networkFailures.get();
      double quiet = Math.max(Benchmarks.p(before, 0.99), Benchmarks.p(after, 0.99));
      System.out.printf("| %s | %.0f (%,.0f rows/s) | %.1f | %.1f | %.1f | %.1f / %.1f / %.1f | %d | %.2f |%n", name,
          seconds, rows / seconds, Benchmarks.p(before, 0.99), Benchmarks.p(during, 0.99), Benchmarks.p(after, 0.99),
          Benchmarks.p(before, 0.5), Benchmarks.p(during, 0.5), Benchmarks.p(after, 0.5), unexpected,
          Benchmarks.p(during, 0.99) / quiet);
      if (unexpected > 0) {
        System.err.println("unexpected answers: " + stats.unexpectedSamples);
      }
    } finally {
      vertx.close().await();
      Thread.sleep(2_000);
    }
  }

  /**
   * Writes the lines of the days {@code first} to {@code last} before today (UTC, at 23:59):
   * A's and B's ({@code both}) or A's only, into partitions made for them; the days in parallel
   * (four statements at once). Then analyses and checkpoints, so that what follows starts from the
   * same state; the archive is emptied.
   */
  private void write(int first, int last, boolean both) {
    deleteTree(archive);
    new RobotLogPartitions(pool).create(today.minusDays(last), today.minusDays(first)).await();
    long perDay = lines / 10;
    // two chains of days at once (one a core); more would queue for the pool's connections
    io.vertx.core.Future<?>[] chains = {io.vertx.core.Future.succeededFuture(), io.vertx.core.Future.succeededFuture()};
    for (int back = first; back <= last; back++) {
      LocalDate day = today.minusDays(back);
      int chain = back % 2;
      chains[chain] = chains[chain].compose(previous -> pool.preparedQuery("INSERT INTO robot_logs (tenant_id, "
              + "robot_id, job_id, level, message, time_stamp, received_at) SELECT CASE WHEN g % 2 = 0 THEN $1 ELSE "
              + "$2 END, CASE WHEN g % 2 = 0 THEN $3 ELSE $4 END, g % 1000, 'Info', $5 || ' ' || g, t, t "
              + "FROM generate_series(1, $6::bigint) g, LATERAL (SELECT ($7::date + time '23:59' + (g % 59) "
              + "* interval '1 second') AT TIME ZONE 'UTC' AS t) s WHERE $8 OR g % 2 = 0")
          .execute(Tuple.of(a.id(), b.id(), a.robots().get(0).id(), b.robots().get(0).id(), MESSAGE, perDay, day,
              both)));
    }
    io.vertx.core.Future.all(chains[0], chains[1]).await();
    execute("ANALYZE robot_logs");
    execute("CHECKPOINT");
  }

  /** A manual run with the host's archive setting {@code archive}: its seconds, from its own start and end. */
  private double runSeconds(boolean archived) {
    policy("", new JsonObject().put("archive", archived)); // the host's other fields stay as they are
    HttpResponse<Buffer> started = api.post("/api/Retention/Run", host, null).await();
    if (started.statusCode() != 202) {
      throw new IllegalStateException("run: " + started.statusCode() + " " + started.bodyAsString());
    }
    long runId = started.bodyAsJsonObject().getLong("runId");
    while (true) {
      JsonObject run = Api.expect(api.get("/api/Retention/Runs?size=5", host).await(), 200).await()
          .getJsonArray("items").stream().map(JsonObject.class::cast).filter(r -> r.getLong("id") == runId)
          .findFirst().orElse(new JsonObject());
      if (run.getString("endedAt") != null) {
        if (!"Succeeded".equals(run.getString("outcome"))) {
          throw new IllegalStateException("run did not succeed: " + run.encode());
        }
        System.err.println("run: " + run.encode());
        return Duration.between(Instant.parse(run.getString("startedAt")), Instant.parse(run.getString("endedAt")))
            .toNanos() / 1e9;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private void policy(String query, JsonObject body) {
    Api.expect(api.request(HttpMethod.PUT, "/api/Retention" + query, host)
        .putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer()).await(), 200).await();
  }

  private void execute(String sql) {
    TestDatabase.execute(db, "SET search_path TO " + db.schema() + "; " + sql);
  }

  private static double timed(Runnable action) {
    long start = System.nanoTime();
    action.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private static void row(String what, long rows, double seconds, double bareDelete, double drop) {
    System.out.printf("| %s | %,d | %.1f | %,.0f | %s | %s |%n", what, rows, seconds, rows / seconds,
        String.format("%.2f", bareDelete / seconds), Double.isNaN(drop) ? "" : String.format("%.3f", drop / seconds));
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
