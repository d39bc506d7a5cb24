package org.orchestrator.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.bus.BusAddress;
import org.orchestrator.contracts.bus.LocalRecordCodec;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteExpired;
import org.orchestrator.contracts.retention.RetentionMessages.DeleteRows;
import org.orchestrator.contracts.retention.RetentionMessages.ExpiredRows;
import org.orchestrator.contracts.retention.RetentionMessages.OldestRow;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;
import org.orchestrator.contracts.retention.RetentionMessages.RowBatch;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * The webhooks module's retention addresses over the bus, against a real PostgreSQL: a tenant's
 * settled deliveries (never a Pending one) by settled_at, keyed by UUID in key order, each line the
 * row with its attempts; deletes take the attempts with them; and a settled delivery always has a
 * settled_at (V3 fills in the ones that had none and keeps it so).
 */
class DeliveryRetentionTest {

  private static final long DAY = 86_400;
  private static Vertx vertx;
  private static EventBus bus;
  private static Pool pool;
  private static final AtomicLong EVENTS = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    bus = vertx.eventBus();
    LocalRecordCodec.register(bus);
    DatabaseEndpoint endpoint = TestDatabase.newSchema("delivery_retention");
    Migrations.apply(endpoint, List.of("webhooks"));
    pool = Pools.create(vertx, endpoint, 4);
    new DeliveryRetention(pool).serve(bus).await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static <Q, R> R call(BusAddress<Q, R> address, Q body) throws Exception {
    return address.request(bus, body).await(30, TimeUnit.SECONDS);
  }

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
    pool.preparedQuery(sql).execute(Tuple.wrap(Arrays.asList(params))).await(30, TimeUnit.SECONDS).forEach(list::add);
    return list;
  }

  private static long count(String sql, Object... params) throws Exception {
    return rows(sql, params).get(0).getLong(0);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static long webhook(long tenant) throws Exception {
    return rows("INSERT INTO webhooks (tenant_id, url, secret, events, created_by) VALUES ($1, 'https://example.com', "
        + "'s', ARRAY['MaintenanceStarted'], 'test') RETURNING id", tenant).get(0).getLong(0);
  }

  /** A delivery of the webhook in that state, settled at that instant, with that many attempts. */
  private static String delivery(long webhook, long tenant, String state, Instant settledAt, int attempts)
      throws Exception {
    UUID id = UUID.randomUUID();
    Instant created = settledAt == null ? Instant.now() : settledAt.minusSeconds(60);
    rows("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event, event_id, body, created_at, state, attempts, "
        + "next_attempt_at, delivered_at, settled_at) VALUES ($1, $2, $3, 'MaintenanceStarted', $4, '{\"a\": 1}', $5, $6, "
        + "$7, $5, $8, $9)", id, webhook, tenant, EVENTS.incrementAndGet(), utc(created), state, attempts,
        "Delivered".equals(state) ? utc(settledAt) : null, utc(settledAt));
    for (int i = 0; i < attempts; i++) {
      rows("INSERT INTO webhook_attempts (delivery_id, at, duration_ms, status, error) VALUES ($1, $2, 12, $3, $4)", id,
          utc(created.plusSeconds(i)), i == attempts - 1 && "Delivered".equals(state) ? 200 : 503,
          "try " + i);
    }
    return id.toString();
  }

  private static List<String> expected(long tenant, Instant from, Instant before) throws Exception {
    return rows("SELECT id::text FROM webhook_deliveries WHERE tenant_id = $1 AND state IN ('Delivered', 'GaveUp') "
        + "AND settled_at < $2 AND ($3::timestamptz IS NULL OR settled_at >= $3) ORDER BY id", tenant, utc(before),
        utc(from)).stream().map(row -> row.getString(0)).toList();
  }

  private static List<String> allRows(long tenant, Instant from, Instant before, int limit) throws Exception {
    List<String> keys = new ArrayList<>();
    String after = null;
    while (true) {
      RowBatch batch = call(Addresses.WEBHOOKS_RETENTION_ROWS, new ExpiredRows(RetainedTable.webhook_deliveries,
          tenant, from, before, after, limit));
      assertEquals(batch.keys().size(), batch.lines().size());
      for (int i = 0; i < batch.keys().size(); i++) {
        JsonObject line = new JsonObject(batch.lines().get(i));
        assertEquals(batch.keys().get(i), line.getString("id"));
        assertEquals(tenant, line.getLong("tenant_id"));
        assertTrue(List.of("Delivered", "GaveUp").contains(line.getString("state")), line.encode());
      }
      keys.addAll(batch.keys());
      if (batch.keys().size() < limit) {
        return keys;
      }
      after = batch.keys().get(batch.keys().size() - 1);
    }
  }

  @Test
  void settledDeliveriesAreListedInKeyOrderWithTheirAttempts() throws Exception {
    long hook = webhook(1);
    long theirs = webhook(2);
    Instant now = Instant.now();
    for (int i = 0; i < 30; i++) {
      delivery(hook, 1, i % 3 == 0 ? "GaveUp" : "Delivered", now.minusSeconds(DAY * (1 + i % 10)), i % 4);
    }
    for (int i = 0; i < 4; i++) {
      delivery(hook, 1, "Pending", null, i);
      delivery(theirs, 2, "Delivered", now.minusSeconds(DAY * 5), 1);
    }
    Instant before = now.minusSeconds(DAY * 3);
    List<String> expected = expected(1, null, before);
    assertTrue(expected.size() > 15 && expected.size() < 30, "some are too young: " + expected.size());
    assertEquals(expected, allRows(1, null, before, 7));
    assertEquals(expected, allRows(1, null, before, 10_000));
    Instant from = now.minusSeconds(DAY * 8);
    assertEquals(expected(1, from, before), allRows(1, from, before, 4));

    // a line: the row (every column) with its attempts, oldest first, in place of the count
    RowBatch all = call(Addresses.WEBHOOKS_RETENTION_ROWS, new ExpiredRows(RetainedTable.webhook_deliveries, 1, null,
        before, null, 100));
    for (int i = 0; i < all.keys().size(); i++) {
      JsonObject line = new JsonObject(all.lines().get(i));
      JsonObject row = new JsonObject(rows("SELECT row_to_json(d)::text FROM webhook_deliveries d WHERE id = $1::uuid",
          all.keys().get(i)).get(0).getString(0));
      assertEquals(row.fieldNames(), line.fieldNames());
      JsonArray attempts = line.getJsonArray("attempts");
      assertEquals(row.getInteger("attempts"), attempts.size());
      for (int a = 0; a < attempts.size(); a++) {
        assertEquals(all.keys().get(i), attempts.getJsonObject(a).getString("delivery_id"));
        assertEquals("try " + a, attempts.getJsonObject(a).getString("error"));
      }
      for (String column : row.fieldNames()) {
        if (!column.equals("attempts")) {
          assertEquals(row.getValue(column), line.getValue(column), column);
        }
      }
    }
  }

  @Test
  void deletesTakeSettledDeliveriesOfTheTenantWithTheirAttemptsOnly() throws Exception {
    long hook = webhook(3);
    long theirs = webhook(4);
    Instant old = Instant.now().minusSeconds(DAY * 10);
    List<String> settled = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      settled.add(delivery(hook, 3, i % 2 == 0 ? "Delivered" : "GaveUp", old, 2));
    }
    String pending = delivery(hook, 3, "Pending", null, 3);
    String other = delivery(theirs, 4, "Delivered", old, 1);
    List<String> keys = new ArrayList<>(settled);
    keys.add(pending);
    keys.add(other);
    keys.add(settled.get(0).toUpperCase(Locale.ROOT)); // the same key again, in capitals
    keys.add(UUID.randomUUID().toString()); // none such
    assertEquals(6, call(Addresses.WEBHOOKS_RETENTION_DELETE, new DeleteRows(RetainedTable.webhook_deliveries, 3,
        keys)).count());
    assertEquals(0, call(Addresses.WEBHOOKS_RETENTION_DELETE, new DeleteRows(RetainedTable.webhook_deliveries, 3,
        keys)).count(), "idempotent");
    assertEquals(0L, count("SELECT count(*) FROM webhook_attempts WHERE delivery_id::text = ANY($1::text[])",
        (Object) settled.toArray(String[]::new)), "their attempts went with them");
    assertEquals(3L, count("SELECT count(*) FROM webhook_attempts WHERE delivery_id = $1::uuid", pending));
    assertEquals(1L, count("SELECT count(*) FROM webhook_deliveries WHERE id = $1::uuid", pending));
    assertEquals(1L, count("SELECT count(*) FROM webhook_deliveries WHERE id = $1::uuid", other));

    // by bounds, a limit at a time, in key order
    List<String> more = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      more.add(delivery(hook, 3, "Delivered", old.plusSeconds(i), 1));
    }
    more.sort(null);
    Instant before = Instant.now().minusSeconds(DAY);
    assertEquals(more, expected(3, null, before));
    assertEquals(3, call(Addresses.WEBHOOKS_RETENTION_DELETE_EXPIRED, new DeleteExpired(
        RetainedTable.webhook_deliveries, 3, null, before, 3)).count());
    assertEquals(more.subList(3, 7), expected(3, null, before), "the first three in key order");
    assertEquals(4, call(Addresses.WEBHOOKS_RETENTION_DELETE_EXPIRED, new DeleteExpired(
        RetainedTable.webhook_deliveries, 3, null, before, 10_000)).count());
    assertEquals(0, call(Addresses.WEBHOOKS_RETENTION_DELETE_EXPIRED, new DeleteExpired(
        RetainedTable.webhook_deliveries, 3, null, before, 10_000)).count());
    assertEquals(1L, count("SELECT count(*) FROM webhook_deliveries WHERE id = $1::uuid", pending), "never Pending");
  }

  @Test
  void theOldestIsTheOldestSettledDelivery() throws Exception {
    long hook = webhook(5);
    rows("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event, event_id, body, created_at, "
        + "next_attempt_at) VALUES ($1, $2, 5, 'e', $3, '{}', '1990-01-01 00:00:00+00', now())", UUID.randomUUID(), hook,
        EVENTS.incrementAndGet());
    delivery(hook, 5, "GaveUp", Instant.parse("2000-01-02T03:04:05Z"), 1);
    assertEquals(Instant.parse("2000-01-02T03:04:05Z"), call(Addresses.WEBHOOKS_RETENTION_OLDEST,
        new OldestRow(RetainedTable.webhook_deliveries)).at());
  }

  @Test
  void badKeysLimitsAndTablesAreRefused() throws Exception {
    Instant before = Instant.now();
    for (String key : new String[] {"not-a-uuid", "1-1-1-1-1", "00000000-0000-0000-0000-00000000000g", "",
        "{00000000-0000-0000-0000-000000000000}", "00000000000000000000000000000000", "' OR 1=1 --"}) {
      refused(Addresses.WEBHOOKS_RETENTION_ROWS, new ExpiredRows(RetainedTable.webhook_deliveries, 1, null, before,
          key, 10));
      refused(Addresses.WEBHOOKS_RETENTION_DELETE, new DeleteRows(RetainedTable.webhook_deliveries, 1, List.of(key)));
    }
    for (int limit : new int[] {0, -5, 10_001}) {
      refused(Addresses.WEBHOOKS_RETENTION_ROWS, new ExpiredRows(RetainedTable.webhook_deliveries, 1, null, before,
          null, limit));
      refused(Addresses.WEBHOOKS_RETENTION_DELETE_EXPIRED, new DeleteExpired(RetainedTable.webhook_deliveries, 1, null,
          before, limit));
    }
    for (RetainedTable table : new RetainedTable[] {RetainedTable.jobs, RetainedTable.robot_logs, null}) {
      refused(Addresses.WEBHOOKS_RETENTION_ROWS, new ExpiredRows(table, 1, null, before, null, 10));
      refused(Addresses.WEBHOOKS_RETENTION_OLDEST, new OldestRow(table));
    }
    // keyset after the largest UUID: nothing
    assertEquals(List.of(), call(Addresses.WEBHOOKS_RETENTION_ROWS, new ExpiredRows(RetainedTable.webhook_deliveries,
        1, null, before, "ffffffff-ffff-ffff-ffff-ffffffffffff", 10)).keys());
  }

  @Test
  void aSettledDeliveryAlwaysHasItsSettledAt() throws Exception {
    long hook = webhook(6);
    Exception refused = assertThrows(Exception.class, () -> rows("INSERT INTO webhook_deliveries (id, webhook_id, "
        + "tenant_id, event, event_id, body, created_at, state, next_attempt_at) VALUES ($1, $2, 6, 'e', $3, '{}', now(), "
        + "'GaveUp', now())", UUID.randomUUID(), hook, EVENTS.incrementAndGet()));
    assertTrue(refused.getMessage().contains("webhook_deliveries_settled_at"), refused.getMessage());

    // V3 on a table that has such rows: they get the time they were delivered, else made
    DatabaseEndpoint other = TestDatabase.newSchema("delivery_settled_at");
    Flyway.configure(Migrations.class.getClassLoader()).dataSource(other.jdbcUrl(), other.user(), other.password())
        .schemas(other.schema()).locations("classpath:db/migration/webhooks").table("flyway_webhooks")
        .baselineOnMigrate(true).baselineVersion("0").target("2").load().migrate();
    Pool otherPool = Pools.create(vertx, other, 1);
    try {
      otherPool.query("INSERT INTO webhooks (id, tenant_id, url, secret, events, created_by) VALUES (1, 1, 'https://x', "
          + "'s', ARRAY['e'], 't')").execute().await(10, TimeUnit.SECONDS);
      otherPool.query("INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event, event_id, body, created_at, "
          + "state, next_attempt_at, delivered_at) VALUES "
          + "('00000000-0000-0000-0000-000000000001', 1, 1, 'e', 1, '{}', '2020-01-01 00:00:00+00', 'GaveUp', now(), "
          + "NULL), ('00000000-0000-0000-0000-000000000002', 1, 1, 'e', 2, '{}', '2020-01-01 00:00:00+00', 'Delivered', "
          + "now(), '2020-01-02 00:00:00+00'), ('00000000-0000-0000-0000-000000000003', 1, 1, 'e', 3, '{}', "
          + "'2020-01-01 00:00:00+00', 'Pending', now(), NULL)").execute().await(10, TimeUnit.SECONDS);
      Migrations.apply(other, List.of("webhooks"));
      List<String> settled = new ArrayList<>();
      otherPool.query("SELECT id::text || ' ' || coalesce(to_char(settled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-') FROM webhook_deliveries ORDER BY id")
          .execute().await(10, TimeUnit.SECONDS).forEach(row -> settled.add(row.getString(0)));
      assertEquals(List.of("00000000-0000-0000-0000-000000000001 2020-01-01 00:00:00",
          "00000000-0000-0000-0000-000000000002 2020-01-02 00:00:00", "00000000-0000-0000-0000-000000000003 -"),
          settled);
    } finally {
      otherPool.close().await(10, TimeUnit.SECONDS);
    }
  }
}
