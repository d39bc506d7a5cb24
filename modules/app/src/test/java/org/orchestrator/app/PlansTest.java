package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * Planned windows: the host plans, tenants are told (the plan list, {@code upcoming} in Get), the
 * window starts by itself at drainAt as if Start had been called, also when every node was down at
 * that moment; a plan due during an open window is superseded; bad plans are 400 and change nothing.
 */
@Timeout(180)
class PlansTest {

  private static DatabaseEndpoint database;
  private static java.nio.file.Path keys;
  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture tenant;
  private static String operator;

  @BeforeAll
  static void start() throws Exception {
    database = TestDatabase.newSchema("plans");
    keys = Files.createTempDirectory("plans-keys");
    node = TestNode.start(database, Files.createTempDirectory("plans"), keys);
    api = node.api();
    host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "planned", 1).await();
    api.createUser(tenant.adminToken(), null, "watcher", "watcher-password-1", "Operator").await();
    operator = api.signIn("planned", "watcher", "watcher-password-1").await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponse<Buffer> plan(String token, JsonObject body) {
    return api.post("/api/Maintenance/Plans", token, body).await();
  }

  private static JsonObject get(String token) {
    return Api.expect(api.get("/api/Maintenance/Get", token).await(), 200).await();
  }

  private static HttpResponse<Buffer> cancel(long id) {
    return api.send(HttpMethod.DELETE, "/api/Maintenance/Plans/" + id, host).await();
  }

  @Test
  void badPlansAreRefusedAndChangeNothing() {
    Instant now = Instant.now();
    JsonObject good = new JsonObject().put("drainAt", now.plus(Duration.ofHours(1)).toString()).put("reason", "db");
    for (JsonObject bad : new JsonObject[] {
        new JsonObject().put("reason", "no drainAt"),
        good.copy().put("drainAt", now.minusSeconds(60).toString()),
        good.copy().put("drainAt", now.plus(Duration.ofDays(400)).toString()),
        good.copy().put("drainAt", "tomorrow"),
        good.copy().put("killAfter", "PT0S"),
        good.copy().put("killAfter", "P8D"),
        good.copy().put("expectedEnd", now.toString()),
        good.copy().put("expectedEnd", now.plus(Duration.ofDays(40)).toString()),
        new JsonObject().put("drainAt", good.getString("drainAt")),
        good.copy().put("reason", "   "),
        good.copy().put("reason", "x".repeat(501)),
        good.copy().put("unknown", 1)}) {
      HttpResponse<Buffer> answer = plan(host, bad);
      assertEquals(400, answer.statusCode(), bad.encode() + " -> " + answer.bodyAsString());
      assertTrue(answer.bodyAsJsonObject().getString("message") != null, answer.bodyAsString());
    }
    assertEquals(403, plan(tenant.adminToken(), good).statusCode(), "tenants do not plan");
    assertEquals(404, cancel(999_999).statusCode());
    assertTrue(Api.expect(api.get("/api/Maintenance/Plans", host).await(), 200).await().getJsonArray("items")
        .stream().noneMatch(p -> "db".equals(((JsonObject) p).getString("reason"))), "nothing was stored");
    assertEquals(403, api.get("/api/Maintenance/Plans", tenant.robots().get(0).token()).await().statusCode());
  }

  @Test
  void tenantsSeeWhatIsComingAndACancelledPlanIsGone() {
    Instant drainAt = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant end = drainAt.plus(Duration.ofHours(1));
    JsonObject created = Api.expect(plan(host, new JsonObject().put("drainAt", drainAt.toString())
        .put("expectedEnd", end.toString()).put("killAfter", "PT15M").put("autoSuspend", true)
        .put("reason", "database upgrade")), 201).await();
    long id = created.getLong("id");
    assertEquals("Planned", created.getString("state"));
    assertEquals("PT15M", created.getString("killAfter"));
    assertEquals("admin", created.getString("createdBy"));

    for (String token : new String[] {tenant.adminToken(), operator}) {
      JsonObject seen = Api.expect(api.get("/api/Maintenance/Plans", token).await(), 200).await()
          .getJsonArray("items").stream().map(JsonObject.class::cast).filter(p -> p.getLong("id") == id)
          .findFirst().orElseThrow();
      assertEquals(drainAt.toString(), seen.getString("drainAt"));
      assertEquals(end.toString(), seen.getString("expectedEnd"));
      assertEquals("database upgrade", seen.getString("reason"));
      assertFalse(seen.containsKey("killAfter") || seen.containsKey("createdBy") || seen.containsKey("autoSuspend"),
          "host-only fields stay with the host: " + seen);
    }
    JsonObject upcoming = get(tenant.adminToken()).getJsonObject("upcoming");
    assertEquals(id, upcoming.getLong("id"), "Get tells tenant administrators: " + upcoming);
    assertFalse(upcoming.containsKey("killAfter"));
    assertEquals("PT15M", get(host).getJsonObject("upcoming").getString("killAfter"));

    JsonObject cancelled = Api.expect(cancel(id), 200).await();
    assertEquals("Cancelled", cancelled.getString("state"));
    assertEquals(409, cancel(id).statusCode(), "a plan is cancelled once");
    assertTrue(Api.expect(api.get("/api/Maintenance/Plans", operator).await(), 200).await().getJsonArray("items")
        .stream().noneMatch(p -> ((JsonObject) p).getLong("id") == id));
    JsonObject after = get(tenant.adminToken());
    assertTrue(after.getValue("upcoming") == null || after.getJsonObject("upcoming").getLong("id") != id, after.encode());
  }

  @Test
  void aPlanStartsAtItsMomentAsIfStartWereCalledAndRetryAfterCountsDownToItsEnd() throws Exception {
    Instant drainAt = Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant end = drainAt.plusSeconds(120);
    long id = Api.expect(plan(host, new JsonObject().put("drainAt", drainAt.toString())
        .put("expectedEnd", end.toString()).put("killAfter", "PT10M").put("reason", "planned patch")), 201).await()
        .getLong("id");
    JsonObject draining = Eventually.until(node.vertx(), () -> api.get("/api/Maintenance/Get", host)
        .map(r -> r.bodyAsJsonObject()), g -> "Draining".equals(g.getString("state")), 30_000).await();
    assertEquals("plan " + id, draining.getString("startedBy"));
    assertEquals("planned patch", draining.getString("reason"));
    assertEquals(end.toString(), draining.getString("expectedEnd"));
    Instant started = Instant.parse(draining.getString("windowStartedAt"));
    assertFalse(started.isBefore(drainAt), "not before its moment");
    assertEquals(started.plus(Duration.ofMinutes(10)).toString(), draining.getString("killDeadlineAt"));
    JsonObject stored = Api.expect(api.get("/api/Maintenance/Plans", host).await(), 200).await().getJsonArray("items")
        .stream().map(JsonObject.class::cast).filter(p -> p.getLong("id") == id).findFirst().orElseThrow();
    assertEquals("Started", stored.getString("state"));
    assertEquals(draining.getLong("windowId"), stored.getLong("windowId"));

    Api.expect(api.post("/api/Maintenance/Start?phase=Suspended&force=true", host, new JsonObject()).await(), 204)
        .await();
    HttpResponse<Buffer> refused = api.get("/api/Jobs", tenant.adminToken()).await();
    assertEquals(503, refused.statusCode());
    long left = Duration.between(Instant.now(), end).toSeconds();
    int retryAfter = Integer.parseInt(refused.getHeader("Retry-After"));
    assertTrue(retryAfter >= Math.min(left, 300) - 5 && retryAfter <= Math.min(left + 1, 300),
        "Retry-After counts down to expectedEnd (" + left + " s left): " + retryAfter);
    HttpResponse<Buffer> robot = tenant.robots().get(0).api().post("/api/robot/heartbeat", tenant.robots().get(0).token(),
        new JsonObject()).await();
    assertEquals(503, robot.statusCode());
    assertEquals("1", robot.getHeader("Retry-After"), "robots keep their own short wait");
    Api.expect(api.post("/api/Maintenance/End", host, new JsonObject()).await(), 204).await();
  }

  @Test
  void aPlanDueDuringAnOpenWindowIsSupersededAndThatWindowGoesOn() throws Exception {
    Api.expect(api.post("/api/Maintenance/Start?phase=Draining&reason=by%20hand", host, new JsonObject()).await(), 204)
        .await();
    try {
      long id = Api.expect(plan(host, new JsonObject().put("drainAt", Instant.now().plusSeconds(1).toString())
          .put("reason", "too late")), 201).await().getLong("id");
      JsonObject plan = Eventually.until(node.vertx(), () -> api.get("/api/Maintenance/Plans", host).map(r -> r
              .bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
              .filter(p -> p.getLong("id") == id).findFirst().orElseThrow()),
          p -> !"Planned".equals(p.getString("state")), 30_000).await();
      assertEquals("Superseded", plan.getString("state"));
      JsonObject now = get(host);
      assertEquals("by hand", now.getString("reason"), "the open window goes on as it was");
      assertEquals(now.getLong("windowId"), plan.getLong("windowId"));
    } finally {
      Api.expect(api.post("/api/Maintenance/End", host, new JsonObject()).await(), 204).await();
    }
  }

  @Test
  void aPlanWhoseMomentPassedWhileEveryNodeWasDownStartsWithTheFirstNodeUp() throws Exception {
    DatabaseEndpoint own = TestDatabase.newSchema("plans-down");
    java.nio.file.Path data = Files.createTempDirectory("plans-down");
    Instant drainAt;
    long id;
    try (TestNode first = TestNode.start(own, data, keys)) {
      Api a = first.api();
      String token = a.signInHostAdmin().await();
      drainAt = Instant.now().plusSeconds(3);
      id = Api.expect(a.post("/api/Maintenance/Plans", token, new JsonObject().put("drainAt", drainAt.toString())
          .put("reason", "while down")).await(), 201).await().getLong("id");
    }
    // every node is down while the moment passes
    Eventually.until(node.vertx(), () -> io.vertx.core.Future.succeededFuture(Instant.now()),
        now -> now.isAfter(drainAt.plusSeconds(1)), 30_000).await();
    try (TestNode second = TestNode.start(own, Files.createTempDirectory("plans-down-2"), keys)) {
      Api b = second.api();
      String token = b.signInHostAdmin().await();
      JsonObject state = Eventually.until(second.vertx(), () -> b.get("/api/Maintenance/Get", token)
          .map(r -> r.bodyAsJsonObject()), g -> "Draining".equals(g.getString("state")), 30_000).await();
      assertEquals("plan " + id, state.getString("startedBy"));
      JsonArray audit = state.getJsonArray("audit");
      assertEquals(1, audit.stream().map(JsonObject.class::cast)
          .filter(t -> t.getBoolean("changed") && "Draining".equals(t.getString("state"))).count(), audit.encode());
      assertNull(state.getValue("upcoming"));
    }
  }
}
