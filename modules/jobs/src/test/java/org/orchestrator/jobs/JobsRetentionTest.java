package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.bus.BusAddress;
import org.orchestrator.contracts.bus.LocalRecordCodec;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteExpired;
import org.orchestrator.contracts.retention.RetentionMessages.DeletedRows;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteRows;
import org.orchestrator.contracts.retention.RetentionMessages.DropPartition;
import org.orchestrator.contracts.retention.RetentionMessages.ExpiredRows;
import org.orchestrator.contracts.retention.RetentionMessages.ListPartitions;
import org.orchestrator.contracts.retention.RetentionMessages.OldestRow;
import org.orchestrator.contracts.retention.RetentionMessages.Partition;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.contracts.retention.RetentionMessages.RowBatch;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.platform.database.RetainedRows;
import org.orchestrator.platform.database.RetainedRows.KeyType;
import org.orchestrator.platform.database.RetainedRows.Table;

/**
 * The jobs module's retention addresses over the bus, against a real PostgreSQL: a tenant's
 * finished rows only, in key order after a key, within the age bounds; deletes by key that never
 * touch an unfinished row or another tenant's; bounded deletes of expired rows; the oldest row; the
 * day partitions of robot logs listed and dropped, and nothing else dropped. Each test uses its own
 * tenants.
 */
class JobsRetentionTest {

  private static final List<String> FINISHED = List.of("Successful", "Faulted", "Stopped");
  private static final List<String> UNFINISHED = List.of("Pending", "Running", "Stopping", "Terminating");

  private static Vertx vertx;
  private static EventBus bus;
  private static Pool pool;
  private static LocalDate today;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    bus = vertx.eventBus();
    LocalRecordCodec.register(bus);
    DatabaseEndpoint endpoint = TestDatabase.newSchema("jobs_retention");
    Migrations.apply(endpoint, List.of("jobs"));
    pool = Pools.create(vertx, endpoint, 4);
    today = pool.query("SELECT (now() AT TIME ZONE 'UTC')::date").execute().await(10, TimeUnit.SECONDS).iterator()
        .next().getLocalDate(0);
    RobotLogPartitions partitions = new RobotLogPartitions(pool);
    partitions.create(today.minusDays(20), today.minusDays(1)).await(30, TimeUnit.SECONDS);
    new JobsRetention(pool, partitions).serve(bus).await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  // ---- helpers ----

  private static <Q, R> R call(BusAddress<Q, R> address, Q body) throws Exception {
    return address.request(bus, body).await(30, TimeUnit.SECONDS);
  }

  /** The address refuses the request as a bad request; answers the message. */
  private static <Q, R> String refused(BusAddress<Q, R> address, Q body) throws Exception {
    try {
      R answer = call(address, body);
      return fail("expected a refusal, got " + answer);
    } catch (Failure failure) {
      assertEquals(FailureCode.BAD_REQUEST, failure.code(), failure.getMessage());
      return failure.getMessage();
    }
  }

  private static List<Row> rows(String sql, Object... params) throws Exception {
    List<Row> list = new ArrayList<>();
    pool.preparedQuery(sql).execute(Tuple.wrap(java.util.Arrays.asList(params))).await(30, TimeUnit.SECONDS).forEach(list::add);
    return list;
  }

  private static long count(String sql, Object... params) throws Exception {
    return rows(sql, params).get(0).getLong(0);
  }

  private static List<String> ids(String sql, Object... params) throws Exception {
    return rows(sql, params).stream().map(row -> Long.toString(row.getLong(0))).toList();
  }

  private static Instant startOf(LocalDate day) {
    return day.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static java.time.OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /** A log row of the tenant received at that instant; answers its id. */
  private static long log(long tenant, Instant receivedAt) throws Exception {
    return rows("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp, received_at) "
        + "VALUES ($1, 1, 1, 'Info', 'a \"line\" of ' || $1::bigint, $2, $2) RETURNING id", tenant, utc(receivedAt))
        .get(0).getLong(0);
  }

  /** A job of the tenant in that state, ended at that instant (also an unfinished one: none should be). */
  private static long job(long tenant, String state, Instant endedAt) throws Exception {
    return rows("INSERT INTO jobs (tenant_id, process_name, robot_id, state, ended_at) VALUES ($1, 'p', 1, $2, $3) "
        + "RETURNING id", tenant, state, endedAt == null ? null : utc(endedAt)).get(0).getLong(0);
  }

  private static long queueItem(long tenant, String status, Instant endedAt) throws Exception {
    return rows("INSERT INTO queue_items (tenant_id, queue_name, payload, robot_id, status, ended_at) "
        + "VALUES ($1, 'q', '{\"n\": 1}'::jsonb, 1, $2, $3) RETURNING id", tenant, status,
        endedAt == null ? null : utc(endedAt)).get(0).getLong(0);
  }

  /** Every key of the tenant's expired rows, read a page of {@code limit} at a time after the last key. */
  private static List<String> allRows(BusAddress<ExpiredRows, RowBatch> address, RetainedTable table, long tenant,
      Instant from, Instant before, int limit) throws Exception {
    List<String> keys = new ArrayList<>();
    String after = null;
    while (true) {
      RowBatch batch = call(address, new ExpiredRows(table, tenant, from, before, after, limit));
      assertEquals(batch.keys().size(), batch.lines().size());
      assertTrue(batch.keys().size() <= limit);
      for (int i = 0; i < batch.keys().size(); i++) {
        JsonObject line = new JsonObject(batch.lines().get(i));
        assertEquals(batch.keys().get(i), Long.toString(line.getLong("id")), "line " + i + " is the key's row");
        assertEquals(tenant, line.getLong("tenant_id"));
      }
      keys.addAll(batch.keys());
      if (batch.keys().size() < limit) {
        return keys;
      }
      after = batch.keys().get(batch.keys().size() - 1);
    }
  }

  // ---- robot logs ----

  @Test
  void robotLogsAreListedInKeyOrderWithinTheBoundsForOneTenantOnly() throws Exception {
    Instant now = Instant.now();
    for (int i = 0; i < 40; i++) {
      // out of id order on purpose: days go back and forth
      log(11, startOf(today.minusDays(1 + (i * 7) % 12)).plusSeconds(i * 60L));
      if (i % 4 == 0) {
        log(12, startOf(today.minusDays(1 + i % 12)));
      }
    }
    log(11, now);
    Instant before = startOf(today.minusDays(3));
    Instant from = startOf(today.minusDays(9));
    List<String> expected = ids("SELECT id FROM robot_logs WHERE tenant_id = 11 AND received_at < $1 ORDER BY id",
        utc(before));
    assertTrue(expected.size() > 20 && expected.size() < 40, "some rows are too young: " + expected.size());
    assertEquals(expected, allRows(Addresses.JOBS_RETENTION_ROWS, RetainedTable.robot_logs, 11, null, before, 7));
    assertEquals(expected, allRows(Addresses.JOBS_RETENTION_ROWS, RetainedTable.robot_logs, 11, null, before, 10_000));
    List<String> ranged = ids("SELECT id FROM robot_logs WHERE tenant_id = 11 AND received_at >= $1 "
        + "AND received_at < $2 ORDER BY id", utc(from), utc(before));
    assertTrue(ranged.size() < expected.size());
    assertEquals(ranged, allRows(Addresses.JOBS_RETENTION_ROWS, RetainedTable.robot_logs, 11, from, before, 5));

    // a line is the row as PostgreSQL writes it, every column
    RowBatch one = call(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.robot_logs, 11, null, before,
        null, 1));
    String json = rows("SELECT row_to_json(t)::text FROM robot_logs t WHERE id = $1",
        Long.parseLong(one.keys().get(0))).get(0).getString(0);
    assertEquals(json, one.lines().get(0));
    assertEquals(new JsonObject(json).fieldNames(), new JsonObject(one.lines().get(0)).fieldNames());
    assertTrue(new JsonObject(json).containsKey("received_at"));

    // nothing before a bound earlier than every row; the young row is never listed
    assertEquals(List.of(), call(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.robot_logs, 11, null,
        startOf(today.minusDays(100)), null, 100)).keys());
    assertFalse(allRows(Addresses.JOBS_RETENTION_ROWS, RetainedTable.robot_logs, 11, null, now, 100)
        .contains(Long.toString(rows("SELECT max(id) FROM robot_logs WHERE tenant_id = 11").get(0).getLong(0))));
  }

  @Test
  void robotLogsAreDeletedByKeyForTheirTenantOnlyAndIdempotently() throws Exception {
    List<Long> mine = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      mine.add(log(21, startOf(today.minusDays(1 + i % 6)).plusSeconds(i)));
    }
    long theirs = log(22, startOf(today.minusDays(2)));
    List<String> keys = new ArrayList<>(mine.subList(0, 8).stream().map(String::valueOf).toList());
    keys.add(Long.toString(theirs));
    keys.add(keys.get(0)); // asked twice
    keys.add("987654321"); // no such row
    assertEquals(8, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.robot_logs, 21, keys)).count());
    assertEquals(0, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.robot_logs, 21, keys)).count(),
        "deleted once");
    assertEquals(4L, count("SELECT count(*) FROM robot_logs WHERE tenant_id = 21"));
    assertEquals(1L, count("SELECT count(*) FROM robot_logs WHERE id = $1", theirs), "another tenant's row stays");
    assertEquals(0, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.robot_logs, 21, List.of()))
        .count());
  }

  @Test
  void expiredRobotLogsAreDeletedAFewAtATimeInKeyOrder() throws Exception {
    for (int i = 0; i < 10; i++) {
      log(23, startOf(today.minusDays(1 + i % 5)).plusSeconds(i));
    }
    long young = log(23, Instant.now());
    long other = log(24, startOf(today.minusDays(3)));
    Instant before = startOf(today);
    List<String> expected = ids("SELECT id FROM robot_logs WHERE tenant_id = 23 AND received_at < $1 ORDER BY id",
        utc(before));
    assertEquals(10, expected.size());
    assertEquals(4, call(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.robot_logs, 23,
        null, before, 4)).count());
    assertEquals(expected.subList(4, 10), ids("SELECT id FROM robot_logs WHERE tenant_id = 23 AND received_at < $1 "
        + "ORDER BY id", utc(before)), "the first four in key order");
    assertEquals(4, call(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.robot_logs, 23,
        null, before, 4)).count());
    assertEquals(2, call(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.robot_logs, 23,
        null, before, 4)).count());
    assertEquals(0, call(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.robot_logs, 23,
        null, before, 4)).count());
    assertEquals(1L, count("SELECT count(*) FROM robot_logs WHERE id = $1", young));
    assertEquals(1L, count("SELECT count(*) FROM robot_logs WHERE id = $1", other));
  }

  // ---- jobs and queue items ----

  @Test
  void onlyFinishedJobsAreListedAndDeletedWhateverKeysAreAsked() throws Exception {
    Instant longAgo = Instant.now().minusSeconds(86_400L * 400);
    List<Long> finished = new ArrayList<>();
    List<Long> unfinished = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (String state : FINISHED) {
        finished.add(job(31, state, Instant.now().minusSeconds(86_400L * (10 + round))));
      }
      for (String state : UNFINISHED) {
        // an unfinished job with an old ended_at (no code path makes one): still not retention's
        unfinished.add(job(31, state, longAgo));
      }
    }
    long young = job(31, "Successful", Instant.now());
    long theirs = job(32, "Successful", Instant.now().minusSeconds(86_400L * 10));
    Instant before = Instant.now().minusSeconds(86_400L * 5);
    List<String> listed = allRows(Addresses.JOBS_RETENTION_ROWS, RetainedTable.jobs, 31, null, before, 4);
    assertEquals(finished.stream().map(String::valueOf).toList(), listed);
    for (String line : call(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.jobs, 31, null, before, null,
        100)).lines()) {
      assertTrue(FINISHED.contains(new JsonObject(line).getString("state")), line);
    }

    // asked to delete every job of tenant 31 and another tenant's: the finished ones of 31 go
    List<String> all = new ArrayList<>();
    finished.forEach(id -> all.add(id.toString()));
    unfinished.forEach(id -> all.add(id.toString()));
    all.add(Long.toString(theirs));
    Collections.shuffle(all);
    assertEquals(finished.size(), call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.jobs, 31, all))
        .count());
    assertEquals(0, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.jobs, 31, all)).count());
    assertEquals(unfinished.size() + 1L, count("SELECT count(*) FROM jobs WHERE tenant_id = 31"), "unfinished and young");
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE id = $1", young));
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE id = $1", theirs));
    // nor by bounds (the young finished one is not old enough)
    assertEquals(0, call(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.jobs, 31, null,
        Instant.now().minusSeconds(60), 10_000)).count());
    assertEquals(unfinished.size() + 1L, count("SELECT count(*) FROM jobs WHERE tenant_id = 31"));
  }

  @Test
  void expiredJobsAndQueueItemsAreDeletedAtMostALimitAtATime() throws Exception {
    List<Long> jobs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      jobs.add(job(33, FINISHED.get(i % 3), Instant.now().minusSeconds(86_400L * (2 + i))));
    }
    long running = job(33, "Running", Instant.now().minusSeconds(86_400L * 30));
    Instant before = Instant.now().minusSeconds(86_400L);
    List<Long> counts = new ArrayList<>();
    long deleted;
    do {
      deleted = call(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.jobs, 33, null, before, 3))
          .count();
      counts.add(deleted);
    } while (deleted > 0 && counts.size() < 10);
    assertEquals(List.of(3L, 3L, 3L, 1L, 0L), counts);
    assertEquals(0L, count("SELECT count(*) FROM jobs WHERE tenant_id = 33 AND state <> 'Running'"));

    // after a key: each statement starts after the last key the one before chose, and the walk
    // ends with a statement that chooses none (no last key)
    List<Long> keyed = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      keyed.add(job(34, FINISHED.get(i % 3), Instant.now().minusSeconds(86_400L * (2 + i))));
    }
    DeletedRows opening = call(Addresses.JOBS_RETENTION_DELETE_EXPIRED,
        new DeleteExpired(RetainedTable.jobs, 34, null, before, 3, null));
    assertEquals(3, opening.count());
    assertEquals(Long.toString(keyed.get(2)), opening.lastKey());
    DeletedRows skipping = call(Addresses.JOBS_RETENTION_DELETE_EXPIRED,
        new DeleteExpired(RetainedTable.jobs, 34, null, before, 3, Long.toString(keyed.get(4))));
    assertEquals(2, skipping.count(), "only the keys after the one given");
    assertEquals(Long.toString(keyed.get(6)), skipping.lastKey());
    assertEquals(2L, count("SELECT count(*) FROM jobs WHERE tenant_id = 34"), "the two it started after");
    DeletedRows none = call(Addresses.JOBS_RETENTION_DELETE_EXPIRED,
        new DeleteExpired(RetainedTable.jobs, 34, null, before, 3, Long.toString(keyed.get(6))));
    assertEquals(0, none.count());
    assertEquals(null, none.lastKey());
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE id = $1", running));

    // queue items: Successful and Failed by ended_at; New and InProgress never
    List<Long> done = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      done.add(queueItem(41, i % 2 == 0 ? "Successful" : "Failed", Instant.now().minusSeconds(86_400L * (3 + i))));
    }
    long waiting = queueItem(41, "New", null);
    long taken = queueItem(41, "InProgress", Instant.now().minusSeconds(86_400L * 50));
    long theirs = queueItem(42, "Successful", Instant.now().minusSeconds(86_400L * 50));
    assertEquals(done.stream().map(String::valueOf).toList(),
        allRows(Addresses.JOBS_RETENTION_ROWS, RetainedTable.queue_items, 41, null, before, 2));
    RowBatch first = call(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.queue_items, 41, null, before,
        null, 1));
    assertEquals(1, new JsonObject(first.lines().get(0)).getJsonObject("payload").getInteger("n"), "payload as JSON");
    assertEquals(2, call(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.queue_items, 41,
        null, before, 2)).count());
    assertEquals(3, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.queue_items, 41,
        List.of(String.valueOf(done.get(2)), String.valueOf(done.get(3)), String.valueOf(done.get(4)),
            String.valueOf(waiting), String.valueOf(taken), String.valueOf(theirs)))).count());
    assertEquals(2L, count("SELECT count(*) FROM queue_items WHERE tenant_id = 41"));
    assertEquals(1L, count("SELECT count(*) FROM queue_items WHERE id = $1", theirs));
  }

  @Test
  void theOldestRowIsTheOldestFinishedOne() throws Exception {
    job(35, "Running", Instant.parse("2001-01-01T00:00:00Z")); // unfinished: not counted
    job(35, "Faulted", Instant.parse("2002-02-02T00:00:00Z"));
    assertEquals(Instant.parse("2002-02-02T00:00:00Z"), call(Addresses.JOBS_RETENTION_OLDEST,
        new OldestRow(RetainedTable.jobs)).at());
    queueItem(43, "InProgress", Instant.parse("2001-01-01T00:00:00Z"));
    queueItem(43, "Failed", Instant.parse("2003-03-03T00:00:00Z"));
    assertEquals(Instant.parse("2003-03-03T00:00:00Z"), call(Addresses.JOBS_RETENTION_OLDEST,
        new OldestRow(RetainedTable.queue_items)).at());
    assertEquals(RetainedTable.queue_items, call(Addresses.JOBS_RETENTION_OLDEST,
        new OldestRow(RetainedTable.queue_items)).table());
    // robot logs: the row with the smallest id (rows are received in id order, up to overlapping inserts)
    log(36, startOf(today.minusDays(2)));
    Instant expected = rows("SELECT received_at FROM robot_logs ORDER BY id LIMIT 1").get(0).getOffsetDateTime(0)
        .toInstant();
    assertEquals(expected, call(Addresses.JOBS_RETENTION_OLDEST, new OldestRow(RetainedTable.robot_logs)).at());
    // none: null
    assertNull(new RetainedRows(pool, Table.of("jobs", KeyType.BIGINT, "ended_at", "false")).oldest()
        .await(10, TimeUnit.SECONDS));
  }

  // ---- what is refused ----

  @Test
  void limitsBoundsKeysAndTablesAreChecked() throws Exception {
    Instant before = Instant.now();
    for (int limit : new int[] {0, -1, 10_001, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
      assertTrue(refused(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.jobs, 1, null, before, null,
          limit)).contains("limit"));
      refused(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.robot_logs, 1, null, before,
          limit));
    }
    refused(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.jobs, 1, null, null, null, 10));
    refused(Addresses.JOBS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.jobs, 1, null, null, 10));
    refused(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.jobs, 1, null,
        Instant.parse("+1000000000-12-31T23:59:59Z"), null, 10));
    refused(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.jobs, 1, Instant.MIN, before, null, 10));
    for (String key : new String[] {"abc", "1.5", "", " 1", "+1", "99999999999999999999", "1; DROP TABLE jobs",
        "1' OR '1'='1", "0x10", "１"}) {
      String message = refused(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.robot_logs, 1, null,
          before, key, 10));
      assertTrue(message.contains("not a key"), message);
    }
    refused(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(null, 1, null, before, null, 10));
    refused(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.webhook_deliveries, 1, null, before, null,
        10));
    refused(Addresses.JOBS_RETENTION_OLDEST, new OldestRow(RetainedTable.webhook_deliveries));
    // after the largest key there is nothing
    assertEquals(0, call(Addresses.JOBS_RETENTION_ROWS, new ExpiredRows(RetainedTable.jobs, 1, null, before,
        Long.toString(Long.MAX_VALUE), 10)).keys().size());

    // deletes: one bad key refuses all of them, nothing deleted
    long finished = job(37, "Successful", Instant.now().minusSeconds(86_400L));
    refused(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.jobs, 37,
        List.of(Long.toString(finished), "x")));
    refused(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.jobs, 37,
        java.util.Arrays.asList(Long.toString(finished), null)));
    refused(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.jobs, 37, null));
    assertEquals(1L, count("SELECT count(*) FROM jobs WHERE id = $1", finished));
    List<String> tooMany = IntStream.rangeClosed(1_000_001, 1_010_001).mapToObj(Integer::toString)
        .collect(Collectors.toList());
    refused(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.robot_logs, 37, tooMany));
    // 10,000 keys at once is one statement, also over the partitions of robot logs
    List<String> most = tooMany.subList(0, 10_000);
    assertEquals(0, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.robot_logs, 37, most)).count());
    assertEquals(0, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.jobs, 37, most)).count());
    // a negative key is a key no row has
    assertEquals(1, call(Addresses.JOBS_RETENTION_DELETE, new DeleteRows(RetainedTable.jobs, 37,
        List.of(Long.toString(finished), "-5"))).count());
  }

  // ---- partitions ----

  @Test
  void dayPartitionsAreListedOldestFirstAndDroppedByNameOnly() throws Exception {
    List<Partition> ended = call(Addresses.JOBS_RETENTION_PARTITIONS, new ListPartitions(startOf(today))).partitions();
    List<String> expected = new ArrayList<>();
    for (int days = 20; days >= 1; days--) {
      expected.add(RobotLogPartitions.name(today.minusDays(days)));
    }
    assertEquals(expected, ended.stream().map(Partition::name).toList());
    assertEquals(new Partition(RobotLogPartitions.name(today.minusDays(20)), startOf(today.minusDays(20)),
        startOf(today.minusDays(19))), ended.get(0));
    assertEquals(expected.subList(0, 5), call(Addresses.JOBS_RETENTION_PARTITIONS,
        new ListPartitions(startOf(today.minusDays(15)).plusSeconds(1))).partitions().stream().map(Partition::name)
        .toList(), "those ending at or before the instant");
    refused(Addresses.JOBS_RETENTION_PARTITIONS, new ListPartitions(null));

    // dropping the oldest takes its rows with it
    String oldest = expected.get(0);
    long row = log(51, startOf(today.minusDays(20)).plusSeconds(5));
    long kept = log(51, startOf(today.minusDays(19)).plusSeconds(5));
    assertTrue(call(Addresses.JOBS_RETENTION_PARTITION_DROP, new DropPartition(oldest)).dropped());
    assertFalse(call(Addresses.JOBS_RETENTION_PARTITION_DROP, new DropPartition(oldest)).dropped(), "gone already");
    assertEquals(0L, count("SELECT count(*) FROM robot_logs WHERE id = $1", row));
    assertEquals(1L, count("SELECT count(*) FROM robot_logs WHERE id = $1", kept));
    assertNotEquals(oldest, call(Addresses.JOBS_RETENTION_PARTITIONS, new ListPartitions(startOf(today))).partitions()
        .get(0).name());
    assertFalse(call(Addresses.JOBS_RETENTION_PARTITION_DROP, new DropPartition("robot_logs_legacy")).dropped(),
        "none here");

    // today's partition still receives rows
    assertTrue(refused(Addresses.JOBS_RETENTION_PARTITION_DROP, new DropPartition(RobotLogPartitions.name(today)))
        .contains("still receives"));
    // names that are not a partition's
    for (String name : new String[] {"jobs", "robot_logs", "robot_logs_p2026\"; DROP TABLE jobs; --",
        "robot_logs_p20260101; DROP TABLE jobs", "\"robot_logs_p20260101\"", "ROBOT_LOGS_P20260101",
        "robot_logs_p2026010", "public.robot_logs_p20260101", "robot_logs_legacy ", "", null}) {
      refused(Addresses.JOBS_RETENTION_PARTITION_DROP, new DropPartition(name));
    }
    // a table named like a partition that is not one of robot_logs: refused, kept
    pool.query("CREATE TABLE robot_logs_p19990101 (x int)").execute().await(10, TimeUnit.SECONDS);
    pool.query("CREATE TABLE other_logs (at timestamptz) PARTITION BY RANGE (at)").execute()
        .await(10, TimeUnit.SECONDS);
    pool.query("CREATE TABLE robot_logs_p19980101 PARTITION OF other_logs FOR VALUES FROM ('1998-01-01 00:00:00+00') "
        + "TO ('1998-01-02 00:00:00+00')").execute().await(10, TimeUnit.SECONDS);
    assertTrue(refused(Addresses.JOBS_RETENTION_PARTITION_DROP, new DropPartition("robot_logs_p19990101"))
        .contains("not a partition"));
    assertTrue(refused(Addresses.JOBS_RETENTION_PARTITION_DROP, new DropPartition("robot_logs_p19980101"))
        .contains("not a partition"));
    assertEquals(2L, count("SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        + "AND relname IN ('robot_logs_p19990101', 'robot_logs_p19980101')"), "both still there");
    assertEquals(expected.size() - 1, call(Addresses.JOBS_RETENTION_PARTITIONS, new ListPartitions(startOf(today)))
        .partitions().size(), "other tables are never listed");
  }
}
