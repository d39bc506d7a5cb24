package org.orchestrator.app;

import org.orchestrator.platform.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the operator reads tells the truth (issue #15): the drain estimate never promises beyond
 * the kill deadline and is null with a reason rather than NaN; the deadline counts down in Get and
 * in /metrics; "since" is per phase; tenants carry names; outside maintenance nothing "remains";
 * the per-tenant series exist at zero before anything happened. The phase module reads a clock
 * the test moves, so no step waits for real time to pass.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OperatorViewTest {

  private static final Instant START = Instant.parse("2026-11-24T08:00:00Z");
  private static MutableClock clock;
  private static TestNode node;
  private static Api api;
  private static String host;
  private static Maintenance maintenance;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(START);
    node = TestNode.start("operator-view", clock);
    api = node.api();
    host = api.signInHostAdmin().await();
    maintenance = new Maintenance(api, host);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static Scrape scrapeUntil(java.util.function.Predicate<Scrape> condition) {
    return Eventually.until(node.vertx(), () -> api.get("/metrics", null).map(r -> Scrape.parse(r.bodyAsString())),
        condition, 15_000).await();
  }

  @Test
  void aDrainTellsTheTruthAboutTimeNamesAndTheDeadline() throws Exception {
    Tenants.Fixture tenant = Tenants.create(api, host, "acme-payroll", 2).await();
    String t = "tenant=\"" + tenant.id() + "\"";

    // a fresh tenant: every per-tenant series exists at zero, and its name is attached
    Scrape fresh = scrapeUntil(s -> s.series().containsKey("orchestrator_jobs{state=\"Running\"," + t + "}")
        && s.series().containsKey("orchestrator_drain_remaining_jobs{" + t + "}"));
    for (String state : List.of("Pending", "Running", "Stopping", "Terminating")) {
      assertEquals(0.0, fresh.value("orchestrator_jobs{state=\"" + state + "\"," + t + "}"), state);
    }
    assertEquals(0.0, fresh.value("orchestrator_robots_connected{" + t + "}"));
    assertEquals(0.0, fresh.value("orchestrator_drain_remaining_jobs{" + t + "}"));
    assertEquals(1.0, fresh.value("orchestrator_tenant_info{name=\"acme-payroll\"," + t + "}"));
    assertEquals(0.0, fresh.value("orchestrator_drain_estimated_seconds"), "outside maintenance: 0");
    assertFalse(fresh.series().containsKey("orchestrator_drain_deadline_seconds"), "no deadline: absent");

    List<Long> jobs = new ArrayList<>();
    for (Tenants.Robot robot : tenant.robots()) {
      long id = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")
          .put("robotId", robot.id())).await(), 201).await().getLong("id");
      robot.heartbeat().await();
      assertEquals(200, robot.report(id, "Running").await().statusCode());
      jobs.add(id);
    }

    // Draining with a 90 s deadline; nothing has ended: no rate yet, the deadline bounds the estimate
    maintenance.start("phase=Draining&killAfter=PT90S").await();
    JsonObject setting = maintenance.get(null).await();
    JsonObject progress = setting.getJsonObject("progress");
    assertEquals(START.plusSeconds(90).toString(), setting.getString("killDeadlineAt"), setting.encode());
    assertEquals(90L, setting.getLong("deadlineSecondsLeft"));
    assertEquals(true, progress.getBoolean("draining"));
    assertEquals(2L, progress.getLong("remaining"));
    assertEquals("deadline", progress.getString("estimateBasis"), progress.encode());
    assertEquals(90L, progress.getLong("estimatedSecondsLeft"));
    JsonObject row = progress.getJsonArray("tenants").stream().map(JsonObject.class::cast)
        .filter(r -> r.getLong("tenantId") == tenant.id()).findFirst().orElseThrow();
    assertEquals("acme-payroll", row.getString("tenantName"));
    assertEquals(2L, row.getLong("remaining"));
    JsonObject own = Api.expect(api.get("/api/Maintenance/Get", tenant.adminToken()).await(), 200).await();
    assertEquals("acme-payroll", own.getString("tenantName"));

    // one job ends after 2 s, the other never: 60 s in, the rate says 60 s more, the deadline 30
    tenant.robots().get(0).heartbeat().await();
    clock.advance(Duration.ofSeconds(2));
    assertEquals(200, tenant.robots().get(0).report(jobs.get(0), "Stopped").await().statusCode());
    // the end is seen at +2 s (the clock stands still until the next advance)
    progress = Eventually.until(node.vertx(), () -> maintenance.progress(), p -> p.getLong("remaining") == 1, 10_000)
        .await();
    assertEquals(false, progress.getBoolean("stalled"), progress.encode());
    assertEquals(0L, progress.getLong("sinceLastEndSeconds"), progress.encode());
    clock.advance(Duration.ofSeconds(58));
    progress = maintenance.progress().await();
    assertEquals(1L, progress.getLong("remaining"));
    assertEquals("deadline", progress.getString("estimateBasis"), progress.encode());
    assertEquals(30L, progress.getLong("estimatedSecondsLeft"));
    assertEquals(30L, progress.getLong("deadlineSecondsLeft"));
    // 58 s without an end while a job remains: stalled (maintenance.stalledAfterSeconds, 30)
    assertEquals(true, progress.getBoolean("stalled"), progress.encode());
    assertEquals(58L, progress.getLong("stalledSeconds"), progress.encode());
    Scrape mid = scrapeUntil(s -> s.value("orchestrator_drain_remaining_jobs{" + t + "}") == 1.0
        && s.value("orchestrator_drain_estimated_seconds") == 30.0 && s.value("orchestrator_drain_stalled_seconds") == 58.0);
    assertEquals(30.0, mid.value("orchestrator_drain_deadline_seconds"), 0.5);
    assertEquals(1.0, mid.value("orchestrator_drain_remaining_jobs{" + t + "}"));

    // past the deadline (on this clock; its Kill timer runs on real time and has not fired):
    // no estimate, a reason, no NaN in /metrics, the deadline at 0
    clock.advance(Duration.ofSeconds(40));
    progress = maintenance.progress().await();
    assertNull(progress.getValue("estimatedSecondsLeft"), progress.encode());
    assertTrue(progress.getString("estimateBasis").startsWith("kill deadline passed"), progress.encode());
    assertEquals(0L, progress.getLong("deadlineSecondsLeft"));
    Scrape late = scrapeUntil(s -> !s.series().containsKey("orchestrator_drain_estimated_seconds"));
    assertEquals(0.0, late.value("orchestrator_drain_deadline_seconds"));
    assertFalse(late.text().contains("NaN") && late.text().contains("orchestrator_drain_estimated_seconds "),
        "never NaN");

    // Suspended (forced): phaseSince is when Suspended began, windowStartedAt when the window did
    maintenance.start("phase=Suspended&force=true").await();
    setting = maintenance.get(null).await();
    assertEquals(START.toString(), setting.getString("windowStartedAt"));
    assertEquals(START.toString(), setting.getString("startedAt"), "UiPath-era name kept");
    assertEquals(START.plusSeconds(100).toString(), setting.getString("phaseSince"));
    JsonObject refused = Expect.error(api.post("/api/robot/heartbeat", tenant.robots().get(1).token(),
        new JsonObject()).await(), 503, "MAINTENANCE");
    assertTrue(refused.getString("message").contains("Suspended since " + START.plusSeconds(100)), refused.encode());

    // after End, running jobs are ordinary work: nothing "remains", there is no drain
    maintenance.end().await();
    long running = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")
        .put("robotId", tenant.robots().get(0).id())).await(), 201).await().getLong("id");
    tenant.robots().get(0).heartbeat().await();
    assertEquals(200, tenant.robots().get(0).report(running, "Running").await().statusCode());
    progress = maintenance.progress().await();
    assertEquals(false, progress.getBoolean("draining"), progress.encode());
    assertEquals(0L, progress.getLong("remaining"));
    assertEquals(new JsonArray(), progress.getJsonArray("tenants"));
    JsonObject tenantView = Api.expect(api.get("/api/Maintenance/Get", tenant.adminToken()).await(), 200).await();
    assertEquals(0L, tenantView.getJsonObject("progress").getLong("remaining"), tenantView.encode());
    assertNull(maintenance.get(null).await().getValue("deadlineSecondsLeft"));

    // the host's History without tenantId: every window with its tenants, named
    JsonObject history = Api.expect(api.get("/api/Maintenance/History", host).await(), 200).await();
    assertEquals(1, history.getJsonArray("items").size(), history.encode());
    assertEquals(null, history.getString("next"), history.encode());
    JsonObject window = history.getJsonArray("items").getJsonObject(0);
    assertEquals(2L, window.getLong("jobStopsAttempted"), window.encode());
    JsonObject acme = window.getJsonArray("tenants").stream().map(JsonObject.class::cast)
        .filter(r -> r.getLong("tenantId") == tenant.id()).findFirst().orElseThrow();
    assertEquals("acme-payroll", acme.getString("tenantName"));
    assertEquals(2L, acme.getLong("jobStopsAttempted"));
  }

  @Test
  void aStartWithoutAPhaseSaysWhichPhasesThereAre() throws Exception {
    JsonObject error = Expect.error(api.post("/api/Maintenance/Start", host, new JsonObject()).await(), 400,
        "BAD_REQUEST");
    assertEquals("phase is required: Draining or Suspended", error.getString("message"));
    assertEquals("None", maintenance.get(null).await().getString("state"));
  }
}
