package org.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;
import org.orchestrator.contracts.phase.RouteClass;
import org.orchestrator.platform.phase.PhaseWatch;

/**
 * The gate on its own, in front of a router whose every route answers 200, over real HTTP, with a
 * real {@link PhaseWatch} fed by the event bus as the phase module feeds it: which routes pass in
 * which phase (the platform's and a tenant's own window), what a refusal says, what the robots and
 * the people are told to wait, and that unknown paths and hidden separators fail closed.
 */
@org.junit.jupiter.api.Timeout(60)
class GateHandlerTest {

  private static final RoutePolicy POLICY = RoutePolicy.fromContract(new JsonObject().put("paths", new JsonObject()
      .put("/api/robot/heartbeat", new JsonObject().put("post", op("heartbeat", "robot")))
      .put("/api/Jobs", new JsonObject().put("get", op("jobs", "human")))
      .put("/api/Maintenance/Get", new JsonObject().put("get", op("get", "open")))));

  private static Vertx vertx;
  private static java.net.http.HttpClient client;
  private static int port;
  private static final AtomicReference<PhaseSnapshot> stored = new AtomicReference<>();
  private static PhaseWatch watch;

  private static JsonObject op(String id, String rule) {
    return new JsonObject().put("operationId", id).put("x-maintenance", rule);
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    org.orchestrator.contracts.bus.LocalRecordCodec.register(vertx.eventBus());
    stored.set(snapshot(1, MaintenancePhase.None, null, Map.of()));
    Addresses.PHASE_STATE_GET.serve(vertx.eventBus(), ask -> io.vertx.core.Future.succeededFuture(stored.get()))
        .completion().await();
    watch = PhaseWatch.start(vertx).await();
    Router router = Router.router(vertx);
    router.route().handler(new GateHandler(POLICY, watch, 30, 5, 10, new SimpleMeterRegistry()));
    router.route().handler(ctx -> ctx.response().end("served"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    port = server.actualPort();
    client = java.net.http.HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static void phase(long version, MaintenancePhase phase, Instant expectedEnd,
      Map<Long, TenantWindow> tenants) {
    PhaseSnapshot next = new PhaseSnapshot(version, phase, phase.inMaintenance() ? 7L : null, null, Instant.EPOCH,
        "admin", phase.inMaintenance() ? "patching" : null, null, null, false, null, List.of(), expectedEnd, null,
        tenants, List.of());
    stored.set(next);
    Addresses.PHASE_CHANGED.publish(vertx.eventBus(), next);
    long deadline = System.currentTimeMillis() + 5_000;
    while (watch.snapshot().version() != version && System.currentTimeMillis() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(version, watch.snapshot().version(), "the watch took the change");
  }

  private static PhaseSnapshot snapshot(long version, MaintenancePhase phase, Instant expectedEnd,
      Map<Long, TenantWindow> tenants) {
    return new PhaseSnapshot(version, phase, null, null, null, null, null, null, null, false, null, List.of(),
        expectedEnd, null, tenants, List.of());
  }

  /** An answer read whole. */
  private record Reply(int statusCode, java.net.http.HttpHeaders headers, String body) {
    String getHeader(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  /** A request from the test thread through the JDK's own client: nothing of it runs on the node's event loop. */
  private static Reply send(HttpMethod method, String path, String token, String accept) {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + port + path))
        .timeout(java.time.Duration.ofSeconds(30))
        .method(method.name(), java.net.http.HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (accept != null) {
      request.header("Accept", accept);
    }
    try {
      java.net.http.HttpResponse<String> response = client.send(request.build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token naming a tenant: the gate reads the tenant only to find its window. */
  private static String tokenOf(long tenant) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"ES256\"}".getBytes()) + "."
        + b64.encodeToString(("{\"tenant\":" + tenant + "}").getBytes()) + ".c2ln";
  }

  @ParameterizedTest(name = "{0} in {1}: {2}")
  @CsvSource({
      "OPEN, None, true", "OPEN, Draining, true", "OPEN, Suspended, true",
      "ROBOT, None, true", "ROBOT, Draining, true", "ROBOT, Suspended, false",
      "HUMAN, None, true", "HUMAN, Draining, false", "HUMAN, Suspended, false",
  })
  void theTable(RouteClass route, MaintenancePhase phase, boolean served) {
    assertEquals(served, org.orchestrator.contracts.phase.MaintenanceRules.admits(route, phase));
  }

  @Test
  void eachPhaseServesWhatItShouldOverHttp() {
    phase(10, MaintenancePhase.None, null, Map.of());
    assertEquals(200, send(HttpMethod.GET, "/api/Jobs", null, null).statusCode());
    assertEquals(200, send(HttpMethod.POST, "/api/robot/heartbeat", null, null).statusCode());

    phase(11, MaintenancePhase.Draining, null, Map.of());
    Reply refused = send(HttpMethod.GET, "/api/Jobs", null, null);
    assertEquals(503, refused.statusCode());
    assertEquals("30", refused.getHeader("Retry-After"));
    JsonObject reply = new JsonObject(refused.body());
    assertEquals("MAINTENANCE", reply.getString("code"));
    assertEquals(1000, reply.getInteger("errorCode"));
    assertEquals("Draining", reply.getString("phase"));
    assertEquals("patching", reply.getString("reason"));
    assertEquals(200, send(HttpMethod.POST, "/api/robot/heartbeat", null, null).statusCode());
    assertEquals(200, send(HttpMethod.GET, "/api/Maintenance/Get", null, null).statusCode());
    assertEquals(503, send(HttpMethod.GET, "/api/Unknown", null, null).statusCode(), "unknown paths fail closed");
    Reply page = send(HttpMethod.GET, "/api/Jobs", null, "text/html");
    assertEquals(503, page.statusCode());
    assertTrue(page.getHeader("Content-Type").startsWith("text/html"));

    phase(12, MaintenancePhase.Suspended, Instant.now().plusSeconds(120), Map.of());
    // robots keep their short wait, plus a share of the return spread drawn at each refusal: a
    // fleet refused in the same second comes back over the next ten
    java.util.Set<Integer> waits = new java.util.TreeSet<>();
    for (int i = 0; i < 60; i++) {
      Reply robot = send(HttpMethod.POST, "/api/robot/heartbeat", null, null);
      assertEquals(503, robot.statusCode());
      int wait = Integer.parseInt(robot.getHeader("Retry-After"));
      assertEquals(wait, new JsonObject(robot.body()).getInteger("retryAfterSeconds"), "the body says the same");
      waits.add(wait);
    }
    assertTrue(waits.stream().allMatch(wait -> wait >= 5 && wait <= 15), "within 5 + 0..10 s: " + waits);
    assertTrue(waits.size() >= 4, "spread, not one value for every robot: " + waits);
    int countdown = Integer.parseInt(send(HttpMethod.GET, "/api/Jobs", null, null).getHeader("Retry-After"));
    assertTrue(countdown > 100 && countdown <= 120, "people are told the time left: " + countdown);
    assertEquals(200, send(HttpMethod.GET, "/api/Maintenance/Get", null, null).statusCode());
    phase(13, MaintenancePhase.None, null, Map.of());
  }

  @Test
  void aTenantsOwnWindowRefusesThatTenantOnly() {
    TenantWindow own = new TenantWindow(3, MaintenancePhase.Suspended, 9, Instant.EPOCH, Instant.EPOCH, "host",
        "tenant 3 only");
    phase(20, MaintenancePhase.None, null, Map.of(3L, own));
    assertEquals(503, send(HttpMethod.GET, "/api/Jobs", tokenOf(3), null).statusCode());
    assertEquals(503, send(HttpMethod.POST, "/api/robot/heartbeat", tokenOf(3), null).statusCode());
    assertEquals(200, send(HttpMethod.GET, "/api/Jobs", tokenOf(4), null).statusCode());
    assertEquals(200, send(HttpMethod.GET, "/api/Jobs", null, null).statusCode());
    phase(21, MaintenancePhase.None, null, Map.of());
    assertEquals(200, send(HttpMethod.GET, "/api/Jobs", tokenOf(3), null).statusCode());
  }

  @Test
  void hiddenSeparatorsAreRefused() {
    assertTrue(GateHandler.hidesSeparator("/console/..%2Fapi"));
    assertTrue(GateHandler.hidesSeparator("/console/%5c"));
    assertTrue(GateHandler.hidesSeparator("/a\\b"));
    assertFalse(GateHandler.hidesSeparator("/api/Jobs%20x"));
    assertEquals(400, send(HttpMethod.GET, "/console/maintenance/..%2F..%2Fapi/Jobs", null, null).statusCode());
  }
}
