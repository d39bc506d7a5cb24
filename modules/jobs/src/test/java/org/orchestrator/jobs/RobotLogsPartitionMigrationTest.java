package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.contracts.retention.RetentionMessages.Partition;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * V190 turns an existing robot_logs with rows into a table partitioned by day without copying them:
 * the old table becomes the legacy partition (up to the start of tomorrow, UTC), every row is there
 * with its id and content, new rows get ids after the old ones, later days go into day partitions,
 * and the legacy partition is listed for dropping only once its bound has passed. A new
 * installation (an empty table) has day partitions only.
 */
class RobotLogsPartitionMigrationTest {

  private static final int ROWS = 10_000;
  private static Vertx vertx;
  private static DatabaseEndpoint endpoint;
  private static Pool pool;
  private static LocalDate today;
  private static long maxIdBefore;
  private static String digestBefore;
  private static long job;

  @BeforeAll
  static void migrateATableWithRows() throws Exception {
    vertx = Vertx.vertx();
    endpoint = TestDatabase.newSchema("logs_migration");
    // the jobs module as it was before V190 (Migrations' settings, stopping at V180)
    Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
        .schemas(endpoint.schema())
        .locations("classpath:db/migration/jobs")
        .table("flyway_jobs")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("180")
        .load()
        .migrate();
    pool = Pools.create(vertx, endpoint, 2);
    assertEquals("r", one("SELECT relkind::text FROM pg_class WHERE oid = 'robot_logs'::regclass").getString(0));
    job = one("INSERT INTO jobs (tenant_id, process_name, robot_id, state) VALUES (7, 'p', 1, 'Running') RETURNING id")
        .getLong(0);
    // 10,000 rows over the last 5 days, some of them today
    pool.preparedQuery("""
            INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp, received_at)
            SELECT 7 + g % 2, 1, $1, 'Info', 'line ' || g || ' é ''quoted''', now() - g * interval '1 minute',
              now() - (g % 5) * interval '1 day' - interval '1 second'
            FROM generate_series(1, $2) g""")
        .execute(Tuple.of(job, ROWS)).await(30, TimeUnit.SECONDS);
    today = one("SELECT (now() AT TIME ZONE 'UTC')::date").getLocalDate(0);
    maxIdBefore = one("SELECT max(id) FROM robot_logs").getLong(0);
    digestBefore = digest(maxIdBefore);

    Migrations.apply(endpoint, List.of("jobs"));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Row one(String sql) throws Exception {
    return pool.query(sql).execute().await(30, TimeUnit.SECONDS).iterator().next();
  }

  /** The rows up to an id (other tests add some): their count and a digest of every column. */
  private static String digest(long upTo) throws Exception {
    return one("SELECT count(*) || ' ' || md5(string_agg(row_to_json(r)::text, E'\\n' ORDER BY id)) FROM robot_logs r "
        + "WHERE id <= " + upTo).getString(0);
  }

  private static Instant startOf(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  @Test
  void everyRowIsThereWithItsIdAndContentInTheLegacyPartition() throws Exception {
    assertEquals("p", one("SELECT relkind::text FROM pg_class WHERE oid = 'robot_logs'::regclass").getString(0));
    assertEquals(ROWS + " ", digestBefore.substring(0, digestBefore.indexOf(' ') + 1));
    assertEquals(digestBefore, digest(maxIdBefore), "the same rows, ids and content");
    assertEquals(ROWS + " " + ROWS, one("SELECT count(*) || ' ' || count(*) FILTER "
        + "(WHERE tableoid = 'robot_logs_legacy'::regclass) FROM robot_logs WHERE id <= " + maxIdBefore).getString(0),
        "all in the legacy partition");
    // the old indexes serve the partitioned table (attached, not rebuilt)
    assertEquals(2L, one("SELECT count(*) FROM pg_inherits WHERE inhrelid IN ('robot_logs_legacy_tenant_id'::regclass, "
        + "'robot_logs_legacy_job'::regclass)").getLong(0));
  }

  @Test
  void theLegacyPartitionEndsTomorrowAndTheDaysAfterHavePartitions() throws Exception {
    RobotLogPartitions partitions = new RobotLogPartitions(pool);
    List<Partition> beforeTomorrow = partitions.list(startOf(today.plusDays(1)).minusSeconds(1))
        .await(10, TimeUnit.SECONDS);
    assertEquals(List.of(), beforeTomorrow, "the legacy partition still receives today's rows");
    List<Partition> atTomorrow = partitions.list(startOf(today.plusDays(1))).await(10, TimeUnit.SECONDS);
    assertEquals(List.of(new Partition("robot_logs_legacy", null, startOf(today.plusDays(1)))), atTomorrow);
    List<Partition> later = partitions.list(startOf(today.plusDays(3))).await(10, TimeUnit.SECONDS);
    assertEquals(List.of("robot_logs_legacy", RobotLogPartitions.name(today.plusDays(1)),
        RobotLogPartitions.name(today.plusDays(2))), later.stream().map(Partition::name).toList(), "oldest first");
    assertEquals(startOf(today.plusDays(1)), later.get(1).from());
    assertEquals(startOf(today.plusDays(2)), later.get(1).to());
    // made by the migration through today + 7; the jobs module's check finds nothing to add, and
    // no day the legacy partition covers is made again
    assertEquals(List.of(), partitions.ensureAhead().await(10, TimeUnit.SECONDS));
    assertEquals(List.of(), partitions.create(today.minusDays(3), today).await(10, TimeUnit.SECONDS));
    assertEquals(1L, one("SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        + "AND relname = '" + RobotLogPartitions.name(today.plusDays(7)) + "'").getLong(0));
    assertEquals(0L, one("SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        + "WHERE i.inhparent = 'robot_logs'::regclass AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'").getLong(0),
        "no default partition");
  }

  @Test
  void newRowsGetLaterIdsAndTheirDaysPartition() throws Exception {
    // the robots' path (group commit): today's rows go to the legacy partition
    RobotLogRepository logs = new RobotLogRepository(pool);
    List<LogLine> lines = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      lines.add(new LogLine(job, "Info", "after " + i, Instant.now()));
    }
    assertEquals(5, logs.append(7, 1, "after-migration", lines).await(10, TimeUnit.SECONDS).stored());
    Row fresh = one("SELECT min(id), max(id), count(*), bool_and(tableoid = 'robot_logs_legacy'::regclass) "
        + "FROM robot_logs WHERE message LIKE 'after %'");
    assertTrue(fresh.getLong(0) > maxIdBefore, "ids continue after the old ones");
    assertEquals(5L, fresh.getLong(2));
    assertTrue(fresh.getBoolean(3));
    // the page a person reads, newest first, across partitions
    var page = logs.page(7, null, new PageRequest(1, 3, null)).await(10, TimeUnit.SECONDS);
    assertEquals(List.of("after 4", "after 3", "after 2"), page.items().stream().map(l -> l.message()).toList());

    // a row received tomorrow goes to tomorrow's partition, with the next id
    Row tomorrow = one("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp, received_at) "
        + "VALUES (7, 1, " + job + ", 'Info', 'tomorrow', now(), '" + today.plusDays(1) + " 00:00:00+00') "
        + "RETURNING id, tableoid::regclass::text");
    assertTrue(tomorrow.getLong(0) > fresh.getLong(1));
    assertEquals(RobotLogPartitions.name(today.plusDays(1)), tomorrow.getString(1));
  }

  @Test
  void theSequenceOutlivesTheLegacyPartition() throws Exception {
    // a copy of the migrated schema's shape: dropping the legacy partition must keep the ids going
    DatabaseEndpoint other = TestDatabase.newSchema("logs_legacy_drop");
    Flyway.configure(Migrations.class.getClassLoader()).dataSource(other.jdbcUrl(), other.user(), other.password())
        .schemas(other.schema()).locations("classpath:db/migration/jobs").table("flyway_jobs")
        .baselineOnMigrate(true).baselineVersion("0").target("180").load().migrate();
    Pool otherPool = Pools.create(vertx, other, 1);
    try {
      otherPool.query("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp) "
          + "VALUES (1, 1, 1, 'Info', 'old', now())").execute().await(10, TimeUnit.SECONDS);
      Migrations.apply(other, List.of("jobs"));
      otherPool.query("DROP TABLE robot_logs_legacy").execute().await(10, TimeUnit.SECONDS);
      // (today's rows had the legacy partition: this one is received tomorrow)
      Row row = otherPool.query("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp, "
          + "received_at) VALUES (1, 1, 1, 'Info', 'new', now(), '" + today.plusDays(1) + " 12:00:00+00') RETURNING id").execute().await(10, TimeUnit.SECONDS)
          .iterator().next();
      assertEquals(2L, row.getLong(0));
    } finally {
      otherPool.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRowReceivedAfterTodayWidensTheLegacyPartition() throws Exception {
    DatabaseEndpoint other = TestDatabase.newSchema("logs_future_row");
    Flyway.configure(Migrations.class.getClassLoader()).dataSource(other.jdbcUrl(), other.user(), other.password())
        .schemas(other.schema()).locations("classpath:db/migration/jobs").table("flyway_jobs")
        .baselineOnMigrate(true).baselineVersion("0").target("180").load().migrate();
    Pool otherPool = Pools.create(vertx, other, 1);
    try {
      otherPool.query("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp, received_at) "
          + "VALUES (1, 1, 1, 'Info', 'from the future', now(), '" + today.plusDays(3) + " 10:00:00+00')")
          .execute().await(10, TimeUnit.SECONDS);
      Migrations.apply(other, List.of("jobs"));
      List<Partition> partitions = new RobotLogPartitions(otherPool).list(startOf(today.plusDays(30)))
          .await(10, TimeUnit.SECONDS);
      assertEquals(new Partition("robot_logs_legacy", null, startOf(today.plusDays(4))), partitions.get(0));
      assertEquals(RobotLogPartitions.name(today.plusDays(4)), partitions.get(1).name());
      assertEquals(RobotLogPartitions.DAYS_AHEAD - 3, partitions.size() - 1, "the days after it, through today + 7");
    } finally {
      otherPool.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aNewInstallationHasDayPartitionsOnly() throws Exception {
    DatabaseEndpoint fresh = TestDatabase.newSchema("logs_fresh");
    Migrations.apply(fresh, List.of("jobs"));
    Pool freshPool = Pools.create(vertx, fresh, 1);
    try {
      RobotLogPartitions partitions = new RobotLogPartitions(freshPool);
      List<Partition> all = partitions.list(startOf(today.plusDays(30))).await(10, TimeUnit.SECONDS);
      List<String> expected = new ArrayList<>();
      for (int day = 0; day <= RobotLogPartitions.DAYS_AHEAD; day++) {
        expected.add(RobotLogPartitions.name(today.plusDays(day)));
      }
      assertEquals(expected, all.stream().map(Partition::name).toList());
      assertFalse(all.stream().anyMatch(p -> p.from() == null));
      assertNull(freshPool.query("SELECT to_regclass('robot_logs_legacy')").execute().await(10, TimeUnit.SECONDS)
          .iterator().next().getValue(0));
      // past days can be made (tests, benchmarks), once
      assertEquals(List.of(RobotLogPartitions.name(today.minusDays(2)), RobotLogPartitions.name(today.minusDays(1))),
          partitions.create(today.minusDays(2), today.plusDays(1)).await(10, TimeUnit.SECONDS));
      assertEquals(List.of(), partitions.create(today.minusDays(2), today.plusDays(1)).await(10, TimeUnit.SECONDS));
    } finally {
      freshPool.close().await(10, TimeUnit.SECONDS);
    }
  }
}
