package org.orchestrator.app;

import org.orchestrator.platform.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.platform.database.Pools;

/**
 * Large deployments: 2,000 schedules of 20 tenants due in the same second become 2,000 jobs, each
 * exactly once; in maintenance the next 2,000 fires are all Skipped; the preview counts every fire
 * of every tenant, whatever the horizon, and says when its sample is truncated. Correctness at
 * scale only: the timing is a benchmark (scripts/bench.sh schedules).
 */
@org.junit.jupiter.api.Timeout(300)
class ScheduleScaleTest {

  private static final Instant START = Instant.parse("2026-06-01T10:00:30Z");
  private static final Instant FIRST_FIRE = Instant.parse("2026-06-01T10:01:00Z");
  private static final int TENANTS = 20;
  private static final int PER_TENANT = 100;
  private static final int SCHEDULES = TENANTS * PER_TENANT;

  private static MutableClock clock;
  private static TestNode node;
  private static Pool pool;
  private static Api api;
  private static String host;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(START);
    node = TestNode.start("sched-scale", clock);
    api = node.api();
    host = api.signInHostAdmin().await();
    pool = Pools.create(node.vertx(), node.orchestrator().database(), 2);
    // tenants 1001..1020, 100 schedules each, every minute on the minute
    pool.preparedQuery("INSERT INTO schedules (tenant_id, name, process_name, cron, time_zone, next_fire_at) "
            + "SELECT 1001 + g % $1, 'scale-' || g, 'scale', '0 * * * * ?', 'UTC', $2 FROM generate_series(0, $3 - 1) g")
        .execute(Tuple.of(TENANTS, FIRST_FIRE.atOffset(ZoneOffset.UTC), SCHEDULES)).await();
  }

  @AfterAll
  static void stop() throws Exception {
    pool.close().await();
    node.close();
  }

  private static Future<Long> count(String sql, Object... params) {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> rows.iterator().next().getLong(0));
  }

  @Test
  void thousandsOfSimultaneousFiresRunOnceOrAreSkippedAndThePreviewCountsThemAll() throws Exception {
    // the preview, two hours ahead: 2,000 schedules x 120 fires, every tenant counted
    JsonObject preview = Api.expect(api.get("/api/Maintenance/Preview?duration=PT2H", host).await(), 200).await();
    assertEquals(SCHEDULES * 120L, preview.getLong("firesToSkipTotal"), preview.getMap().keySet().toString());
    JsonObject byTenant = preview.getJsonObject("firesToSkipByTenant");
    assertEquals(TENANTS, byTenant.size(), byTenant.encode());
    for (int t = 0; t < TENANTS; t++) {
      assertEquals(PER_TENANT * 120L, byTenant.getLong(Long.toString(1001 + t)), byTenant.encode());
    }
    JsonArray sample = preview.getJsonArray("firesToSkip");
    assertTrue(preview.getBoolean("firesToSkipTruncated"));
    assertEquals(sample.size(), preview.getInteger("firesToSkipLimit"));
    assertEquals(FIRST_FIRE.toString(), sample.getJsonObject(0).getString("plannedAt"));
    assertEquals(FIRST_FIRE.toString(), sample.getJsonObject(sample.size() - 1).getString("plannedAt"),
        "the sample holds the earliest fires: 2,000 are due at the first minute");
    // a horizon short enough for all of them: not truncated
    JsonObject none = Api.expect(api.get("/api/Maintenance/Preview?duration=PT20S", host).await(), 200).await();
    assertEquals(0, none.getLong("firesToSkipTotal"));
    assertEquals(false, none.getBoolean("firesToSkipTruncated"));

    // 2,000 fires due in the same second: 2,000 jobs, one per fire
    clock.set(FIRST_FIRE.plusMillis(500));
    Eventually.until(node.vertx(), () -> count("SELECT count(*) FROM schedule_fires WHERE planned_at = $1 "
        + "AND outcome = 'Created'", FIRST_FIRE.atOffset(ZoneOffset.UTC)), n -> n == SCHEDULES, 60_000).await();
    Row created = pool.preparedQuery("SELECT count(*), count(DISTINCT (schedule_id, planned_at)), "
            + "count(DISTINCT tenant_id) FROM jobs WHERE origin = 'Schedule'").execute().await().iterator().next();
    assertEquals(SCHEDULES, created.getLong(0), "one job per fire");
    assertEquals(SCHEDULES, created.getLong(1));
    assertEquals(TENANTS, created.getLong(2));
    assertEquals(SCHEDULES, count("SELECT count(DISTINCT job_id) FROM schedule_fires WHERE outcome = 'Created'")
        .await());

    // in maintenance the next 2,000 fires are all Skipped, in the window, and create nothing
    Maintenance maintenance = new Maintenance(api, host);
    maintenance.start("phase=Draining").await();
    clock.set(FIRST_FIRE.plusSeconds(60).plusMillis(500));
    Eventually.until(node.vertx(), () -> maintenance.get(null), s -> s.getInteger("triggersSkipped") == SCHEDULES,
        60_000).await();
    assertEquals(SCHEDULES, count("SELECT count(*) FROM schedule_fires WHERE outcome = 'Skipped' "
        + "AND window_id IS NOT NULL").await());
    assertEquals(SCHEDULES, count("SELECT count(*) FROM jobs WHERE origin = 'Schedule'").await(),
        "no job for a skipped fire");
    maintenance.end().await();
  }
}
