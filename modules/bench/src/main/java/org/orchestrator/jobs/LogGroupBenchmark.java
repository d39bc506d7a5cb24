package org.orchestrator.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.orchestrator.bench.Benchmarks;
import org.orchestrator.bench.ClosedLoop;
import org.orchestrator.bench.ClosedLoop.Round;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.jobs.RobotLogRepository.Upload;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.platform.database.Timestamps;

/**
 * What a group of log uploads in one statement gives (issue 35, decision 122, "log-group"): the
 * jobs module's own {@link RobotLogRepository#appendAll} (shipped: the ownership check, the claim of
 * the batch ids, the lines and the answers in one statement) against the transaction it replaced
 * (BEGIN, the ownership check, the claims, the lines, COMMIT; an upload alone: BEGIN, its claim, its
 * lines with the check, COMMIT), whose statements are this file's copies (they exist nowhere else).
 * Uploads as the capacity ladder's robots send them: one line each under a fresh batch id, by 4,000
 * robots each running a job. Two cases, each with the log writer's two groups in flight on the
 * node's pool size (8), in alternating rounds of 8 s, three a side: a group of 16 uploads (a busy
 * node) and an upload alone (a quiet one). Then the same two cases for decision 124: the statement
 * on the log writer's own connections, planned once, against the same statement planned anew for
 * every execution. In the package of the code it measures (the bench module holds it) so that it
 * calls that code, not a copy.
 */
public final class LogGroupBenchmark {

  private static final int ROBOTS = 4_000;
  /** The groups the log writer has in flight at once. */
  private static final int IN_FLIGHT = LogGroupCommit.GROUPS_IN_FLIGHT;

  private static final String BEFORE_REFUSED = """
      SELECT DISTINCT l.a FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::bigint[]) AS l(a, t, r, j)
      WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = l.j AND jobs.tenant_id = l.t AND jobs.robot_id = l.r)""";
  private static final String BEFORE_CLAIMS = """
      INSERT INTO robot_log_batches (robot_id, batch_id, tenant_id, stored)
      SELECT r, b, t, n FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::int[]) AS x(r, b, t, n)
      ON CONFLICT (robot_id, batch_id) DO NOTHING RETURNING robot_id, batch_id""";
  private static final String BEFORE_LINES = """
      INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp)
      SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])""";
  private static final String BEFORE_CLAIM_ONE = """
      INSERT INTO robot_log_batches (robot_id, batch_id, tenant_id, stored) VALUES ($1, $2, $3, $4)
      ON CONFLICT (robot_id, batch_id) DO NOTHING RETURNING 1""";
  private static final String BEFORE_LINES_ONE = """
      WITH l AS (
        SELECT * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
          AS l(job_id, level, message, time_stamp)),
      foreign_job AS (
        SELECT 1 FROM (SELECT DISTINCT job_id FROM l) d LEFT JOIN jobs j ON j.id = d.job_id
        WHERE j.id IS NULL OR j.tenant_id <> $1 OR j.robot_id IS DISTINCT FROM $2
        LIMIT 1)
      INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp)
      SELECT $1, $2, job_id, level, message, time_stamp FROM l
      WHERE NOT EXISTS (SELECT 1 FROM foreign_job)""";

  private LogGroupBenchmark() {
  }

  public static void run() throws Exception {
    int seconds = Integer.getInteger("log-group.seconds", 8);
    try (ClosedLoop.Bench bench = ClosedLoop.Bench.open("bench_log_group", List.of("phase", "jobs"))) {
      Vertx vertx = bench.vertx();
      Pool pool = bench.pool();
      Pool stats = bench.stats();
      RobotLogRepository logs = new RobotLogRepository(pool);
      // robot r (1..4000) runs job r of tenant 1
      pool.query("INSERT INTO jobs (id, tenant_id, process_name, robot_id, state, started_at, start_delivered_at) "
          + "SELECT r, 1, 'bench', r, 'Running', now(), now() FROM generate_series(1, "
          + ROBOTS + ") r").execute().await();
      pool.query("ANALYZE jobs").execute().await();
      long[] sequence = {0};
      for (int size : new int[] {16, 1}) {
        BiFunction<Long, Integer, Future<?>> shipped = (n, sender) -> logs.appendAll(group(n, size));
        BiFunction<Long, Integer, Future<?>> before = (n, sender) -> size == 1
            ? pool.withTransaction(tx -> beforeAlone(tx, group(n, 1).get(0)))
            : pool.withTransaction(tx -> beforeGroup(tx, group(n, size)));
        row(size, vertx, stats, seconds, sequence, shipped, before, "one statement", "a transaction (before)");
      }
      // decision 124: the statement on the log writer's own connections, planned once, against the
      // same statement planned for every upload, as the shared pool's connections came to plan it
      // after a quiet start (its first executions, uploads alone, decide; force_custom_plan stands
      // for that here, since which way a connection goes depends on its history)
      PgConnectOptions custom = bench.endpoint().connectOptions();
      custom.addProperty("plan_cache_mode", "force_custom_plan");
      Pool replanned = Pools.create(vertx, custom, IN_FLIGHT);
      RobotLogRepository onWriterPool = new RobotLogRepository(Pools.genericPlans(vertx, bench.endpoint(), IN_FLIGHT,
          JobControlVerticle.LOG_WRITER));
      RobotLogRepository onReplanned = new RobotLogRepository(replanned);
      for (int size : new int[] {16, 1}) {
        row(size, vertx, stats, seconds, sequence, (n, sender) -> onWriterPool.appendAll(group(n, size)),
            (n, sender) -> onReplanned.appendAll(group(n, size)), "planned once (the log writer's pool)",
            "planned for every upload (before)");
      }
    }
  }

  /** The request's {@code size} uploads, of the robots after the last request's, each batch id new. */
  private static List<Upload> group(long n, int size) {
    List<Upload> uploads = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      long seq = n * size + i;
      long robot = 1 + seq % ROBOTS;
      uploads.add(new Upload(1, robot, "b-" + seq,
          List.of(new LogLine(robot, "Info", "step " + seq, Instant.now()))));
    }
    return uploads;
  }

  /** Before, a group: the check, the claims, the lines (every upload here is accepted and new). */
  private static Future<?> beforeGroup(SqlClient tx, List<Upload> group) {
    int size = group.size();
    Integer[] index = new Integer[size];
    Long[] tenants = new Long[size];
    Long[] robots = new Long[size];
    Long[] jobs = new Long[size];
    String[] batches = new String[size];
    Integer[] counts = new Integer[size];
    String[] levels = new String[size];
    String[] messages = new String[size];
    OffsetDateTime[] stamps = new OffsetDateTime[size];
    for (int i = 0; i < size; i++) {
      Upload upload = group.get(i);
      LogLine line = upload.lines().get(0);
      index[i] = i;
      tenants[i] = upload.tenantId();
      robots[i] = upload.robotId();
      jobs[i] = line.jobId();
      batches[i] = upload.batchId();
      counts[i] = 1;
      levels[i] = line.level();
      messages[i] = line.message();
      stamps[i] = Timestamps.utc(line.timeStamp());
    }
    return tx.preparedQuery(BEFORE_REFUSED)
        .execute(Tuple.tuple().addArrayOfInteger(index).addArrayOfLong(tenants).addArrayOfLong(robots)
            .addArrayOfLong(jobs))
        .compose(refused -> tx.preparedQuery(BEFORE_CLAIMS).execute(Tuple.tuple().addArrayOfLong(robots)
            .addArrayOfString(batches).addArrayOfLong(tenants).addArrayOfInteger(counts)))
        .compose(claimed -> tx.preparedQuery(BEFORE_LINES).execute(Tuple.tuple().addArrayOfLong(tenants)
            .addArrayOfLong(robots).addArrayOfLong(jobs).addArrayOfString(levels).addArrayOfString(messages)
            .addArrayOfOffsetDateTime(stamps)));
  }

  /** Before, an upload alone: its claim, then its lines with the ownership check. */
  private static Future<?> beforeAlone(SqlClient tx, Upload upload) {
    LogLine line = upload.lines().get(0);
    return tx.preparedQuery(BEFORE_CLAIM_ONE)
        .execute(Tuple.of(upload.robotId(), upload.batchId(), upload.tenantId(), 1))
        .compose(claimed -> tx.preparedQuery(BEFORE_LINES_ONE).execute(Tuple.tuple().addLong(upload.tenantId())
            .addLong(upload.robotId()).addArrayOfLong(new Long[] {line.jobId()})
            .addArrayOfString(new String[] {line.level()}).addArrayOfString(new String[] {line.message()})
            .addArrayOfOffsetDateTime(new OffsetDateTime[] {Timestamps.utc(line.timeStamp())})));
  }

  private static void row(int size, Vertx vertx, Pool stats, int seconds, long[] sequence,
      BiFunction<Long, Integer, Future<?>> shipped, BiFunction<Long, Integer, Future<?>> before, String shippedIs,
      String beforeIs) {
    Benchmarks.Turns<Round> turns = ClosedLoop.ab(vertx, stats, IN_FLIGHT, seconds, sequence, shipped, before);
    List<Round> a = turns.a();
    List<Round> b = turns.b();
    System.out.printf("| %s, %d groups in flight (medians of 3 rounds of %d s) | %s: "
            + "%.0f uploads/s, p50 %.2f ms, p99 %.2f ms | %s: %.0f uploads/s, p50 %.2f ms, "
            + "p99 %.2f ms | uploads/s %.2f, p99 %.2f | |%n",
        size == 1 ? "an upload alone (a quiet node)" : "groups of " + size + " one-line uploads (a busy node)",
        IN_FLIGHT, seconds, shippedIs,
        size * ClosedLoop.median(a, Round::perSecond), ClosedLoop.median(a, Round::p50), ClosedLoop.median(a, Round::p99),
        beforeIs, size * ClosedLoop.median(b, Round::perSecond), ClosedLoop.median(b, Round::p50),
        ClosedLoop.median(b, Round::p99), ClosedLoop.median(a, Round::perSecond) / ClosedLoop.median(b, Round::perSecond),
        ClosedLoop.median(a, Round::p99) / ClosedLoop.median(b, Round::p99));
  }
}
