package org.orchestrator.app;

import org.orchestrator.platform.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fires due during maintenance are recorded as skipped, counted in each tenant's log, and never
 * run after End; a schedule disabled before the window stays disabled after it.
 */
@org.junit.jupiter.api.Timeout(300)
class MaintenanceScheduleTest {

  private static MutableClock clock;
  private static TestNode node;
  private static Api api;
  private static Maintenance maintenance;
  private static Tenants.Fixture first;
  private static Tenants.Fixture second;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(Instant.parse("2026-05-04T09:00:00Z"));
    node = TestNode.start("maint-sched", clock);
    api = node.api();
    String host = api.signInHostAdmin().await();
    maintenance = new Maintenance(api, host);
    first = Tenants.create(api, host, "first", 0).await();
    second = Tenants.create(api, host, "second", 0).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static long schedule(Tenants.Fixture tenant, String name, String cron) throws Exception {
    return Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", name)
        .put("processName", name).put("cron", cron)).await(), 201).await().getLong("id");
  }

  private static JsonArray fires(Tenants.Fixture tenant, long id) throws Exception {
    return api.get("/api/Schedules/" + id + "/Fires?size=1000", tenant.adminToken()).await().bodyAsJsonObject()
        .getJsonArray("items");
  }

  private static long jobs(Tenants.Fixture tenant) throws Exception {
    return api.count("/api/Jobs", tenant.adminToken()).await();
  }

  @Test
  void firesInTheWindowAreSkippedCountedPerTenantAndNeverRunAfterEnd() throws Exception {
    long everyMinute = schedule(first, "every-minute", "* * * * *");
    long everyFiveA = schedule(second, "every-five", "*/5 * * * *");
    long disabledBefore = schedule(second, "disabled", "* * * * *");
    api.post("/api/Schedules/" + disabledBefore + "/Disable", second.adminToken(), new JsonObject()).await();

    maintenance.start("phase=Draining").await();
    // 10:00 -> 10:10 inside the window: every-minute is due 10 times; every-five twice
    for (int minute = 1; minute <= 10; minute++) {
      clock.set(Instant.parse("2026-05-04T09:00:00Z").plusSeconds(60L * minute + 1));
      long expected = minute;
      Eventually.until(node.vertx(), () -> maintenance.get(first.id()),
          s -> s.getInteger("triggersSkipped") == expected, 5_000).await();
    }
    JsonObject firstLog = maintenance.get(first.id()).await();
    JsonObject secondLog = maintenance.get(second.id()).await();
    assertEquals(10, firstLog.getInteger("triggersSkipped"));
    assertEquals(2, secondLog.getInteger("triggersSkipped"));
    assertEquals("2026-05-04T09:01:00Z", firstLog.getJsonArray("skippedTriggers").getJsonObject(0)
        .getString("plannedAt"));
    // the host's view counts from the drain progress, which the tick refreshes every second
    Eventually.until(node.vertx(), () -> maintenance.get(null), s -> s.getInteger("triggersSkipped") == 12, 5_000)
        .await();

    maintenance.end().await();
    clock.set(Instant.parse("2026-05-04T09:10:30Z"));
    node.vertx().timer(300).await();
    assertEquals(0, jobs(first), "no catch-up: nothing of the window runs after End");
    assertEquals(0, jobs(second));

    // the next fire after End runs normally
    clock.set(Instant.parse("2026-05-04T09:11:01Z"));
    Eventually.until(node.vertx(), () -> api.count("/api/Jobs", first.adminToken()), n -> n == 1, 5_000).await();
    // the job commits (job control) before its fire's record (the scheduler's claim): wait for both
    JsonArray history = Eventually.until(node.vertx(), () -> api.get("/api/Schedules/" + everyMinute
        + "/Fires?size=1000", first.adminToken()).map(r -> r.bodyAsJsonObject().getJsonArray("items")),
        h -> "Created".equals(h.getJsonObject(0).getString("outcome")), 5_000).await();
    assertEquals("Created", history.getJsonObject(0).getString("outcome"));
    assertEquals(10, history.stream().filter(f -> "Skipped".equals(((JsonObject) f).getString("outcome"))).count());
    assertEquals(2, fires(second, everyFiveA).size());

    // disabled before the window: still disabled after it, and never fired
    JsonObject listed = api.get("/api/Schedules", second.adminToken()).await().bodyAsJsonObject();
    JsonObject disabled = listed.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(s -> s.getLong("id") == disabledBefore).findFirst().orElseThrow();
    assertFalse(disabled.getBoolean("enabled"));
    assertEquals(List.of(), fires(second, disabledBefore).getList());

    // the frozen record matches what was live
    JsonObject closed = api.get("/api/Maintenance/History", first.adminToken()).await().bodyAsJsonObject()
        .getJsonArray("items").getJsonObject(0);
    assertEquals(10, closed.getInteger("triggersSkipped"));
  }
}
