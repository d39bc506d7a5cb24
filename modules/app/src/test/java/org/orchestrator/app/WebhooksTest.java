package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * Tenants' webhooks against real receivers (Vert.x servers in the test that check signatures as a
 * tenant would): every event of a window arrives signed, once per delivery id, for the tenants that
 * asked; a receiver that is down for a while gets every event once it is back; a {@code kill -9}
 * of the node between commit and delivery loses nothing; bad registrations are 400 and change nothing.
 */
@Timeout(240)
class WebhooksTest {

  private static final String SECRET = "a-tenant-secret-of-some-length";
  /** Fast retries, so that a receiver's return is seen in a second, and receivers on this machine. */
  private static final JsonObject WEBHOOKS = new JsonObject().put("allowPrivateTargets", true)
      .put("initialBackoffMillis", 100).put("maxBackoffMillis", 400).put("pollMillis", 100).put("timeoutMillis", 1_000)
      .put("maxResponseBytes", 4_096);

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture first;
  private static Tenants.Fixture second;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("webhooks", new JsonObject().put("webhooks", WEBHOOKS));
    api = node.api();
    host = api.signInHostAdmin().await();
    first = Tenants.create(api, host, "hooked", 0).await();
    second = Tenants.create(api, host, "hooked-too", 0).await();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
    vertx.close().await();
  }

  private static HttpResponse<Buffer> register(String token, String url, List<String> events) {
    return api.post("/api/Webhooks", token, new JsonObject().put("url", url).put("secret", SECRET)
        .put("events", new JsonArray(events))).await();
  }

  private static long registered(Tenants.Fixture tenant, String url, List<String> events) {
    return Api.expect(register(tenant.adminToken(), url, events), 201).await().getLong("id");
  }

  private static List<String> all() {
    return List.of("maintenance.planned", "maintenance.cancelled", "maintenance.draining", "maintenance.suspended",
        "maintenance.ended");
  }

  private static long planAndCancel(Api to, String token) {
    long id = Api.expect(to.post("/api/Maintenance/Plans", token, new JsonObject()
        .put("drainAt", Instant.now().plusSeconds(3_600).toString()).put("reason", "not after all")).await(), 201)
        .await().getLong("id");
    Api.expect(to.send(HttpMethod.DELETE, "/api/Maintenance/Plans/" + id, token).await(), 200).await();
    return id;
  }

  /** The listing, for {@link Eventually} (which reads on an event loop, where nothing may block). */
  private static Future<JsonArray> deliveriesLater(long webhook) {
    return api.get("/api/Webhooks/" + webhook + "/Deliveries", first.adminToken())
        .compose(response -> Api.expect(response, 200)).map(body -> body.getJsonArray("items"));
  }

  /** The newest attempt of a listing's first delivery, if any. */
  private static JsonObject lastTry(JsonArray rows) {
    if (rows.isEmpty()) {
      return null;
    }
    JsonArray tries = rows.getJsonObject(0).getJsonArray("tries");
    return tries.isEmpty() ? null : tries.getJsonObject(tries.size() - 1);
  }

  /** The events a receiver holds for a tenant, one per delivery id, in sequence order. */
  private static List<WebhookReceiver.Received> distinct(WebhookReceiver receiver, long tenant) {
    return receiver.received().stream().filter(r -> r.body().getLong("tenantId") == tenant)
        .collect(Collectors.toMap(WebhookReceiver.Received::deliveryId, r -> r, (a, b) -> a)).values().stream()
        .sorted(java.util.Comparator.comparing(r -> r.body().getLong("sequence"))).toList();
  }

  @Test
  void badRegistrationsAreRefusedAndChangeNothing() {
    String token = first.adminToken();
    for (JsonObject bad : new JsonObject[] {
        new JsonObject().put("url", "ftp://example.com/x").put("secret", SECRET).put("events", new JsonArray(all())),
        new JsonObject().put("url", "http://user:pw@example.com/x").put("secret", SECRET).put("events", new JsonArray(all())),
        new JsonObject().put("url", "not a url").put("secret", SECRET).put("events", new JsonArray(all())),
        new JsonObject().put("url", "http:///nohost").put("secret", SECRET).put("events", new JsonArray(all())),
        new JsonObject().put("url", "http://127.0.0.1/x#frag").put("secret", SECRET).put("events", new JsonArray(all())),
        new JsonObject().put("url", "http://127.0.0.1/x").put("secret", "short").put("events", new JsonArray(all())),
        new JsonObject().put("url", "http://127.0.0.1/x").put("secret", "with a space inside!").put("events",
            new JsonArray(all())),
        new JsonObject().put("url", "http://127.0.0.1/x").put("secret", SECRET).put("events", new JsonArray()),
        new JsonObject().put("url", "http://127.0.0.1/x").put("secret", SECRET).put("events",
            new JsonArray().add("maintenance.ended").add("maintenance.ended")),
        new JsonObject().put("url", "http://127.0.0.1/x").put("secret", SECRET).put("events",
            new JsonArray().add("job.finished")),
        new JsonObject().put("url", "http://127.0.0.1/" + "x".repeat(2_100)).put("secret", SECRET).put("events",
            new JsonArray(all()))}) {
      HttpResponse<Buffer> answer = api.post("/api/Webhooks", token, bad).await();
      assertEquals(400, answer.statusCode(), bad.encode() + " -> " + answer.bodyAsString());
      assertNotNull(answer.bodyAsJsonObject().getString("message"));
    }
    // the message names the field and what is wrong with it, not the schema's consequence of it
    String tooShort = api.post("/api/Webhooks", token, new JsonObject().put("url", "http://127.0.0.1/x")
        .put("secret", "short").put("events", new JsonArray(all()))).await().bodyAsJsonObject().getString("message");
    assertTrue(tooShort.contains("/secret: String is too short (5 < 16)"), tooShort);
    assertTrue(!tooShort.contains("additional properties"), tooShort);
    assertEquals(403, register(host, "http://127.0.0.1/x", all()).statusCode(), "webhooks belong to a tenant");
    assertEquals(404, api.get("/api/Webhooks/999999/Deliveries", token).await().statusCode());
    assertTrue(Api.expect(api.get("/api/Webhooks", token).await(), 200).await().getJsonArray("items").stream()
        .noneMatch(w -> ((JsonObject) w).getString("url").endsWith("/x")), "nothing was stored");
  }

  @Test
  void everyEventOfAPlannedWindowArrivesSignedForTheTenantsThatAsked() throws Exception {
    WebhookReceiver receiver = new WebhookReceiver(vertx, SECRET, ServerProcess.freePort()).up();
    long everything = registered(first, receiver.url("/hook"), all());
    long endsOnly = registered(second, receiver.url("/hook"), List.of("maintenance.ended"));
    JsonObject listed = Api.expect(api.get("/api/Webhooks", first.adminToken()).await(), 200).await();
    assertFalse(listed.encode().contains(SECRET), "the secret is never shown: " + listed);
    try {
      long cancelled = planAndCancel(api, host);
      long planned = Api.expect(api.post("/api/Maintenance/Plans", host, new JsonObject()
          .put("drainAt", Instant.now().plusSeconds(1).toString()).put("expectedEnd", Instant.now().plusSeconds(600)
              .toString()).put("reason", "hooked window")).await(), 201).await().getLong("id");
      Eventually.until(node.vertx(), () -> api.get("/api/Maintenance/Get", host).map(r -> r.bodyAsJsonObject()
          .getString("state")), "Draining"::equals, 30_000).await();
      Api.expect(api.post("/api/Maintenance/Start?phase=Suspended&force=true", host, new JsonObject()).await(), 204)
          .await();
      Api.expect(api.post("/api/Maintenance/End", host, new JsonObject()).await(), 204).await();

      List<String> expected = List.of("maintenance.planned", "maintenance.cancelled", "maintenance.planned",
          "maintenance.draining", "maintenance.suspended", "maintenance.ended");
      Eventually.until(node.vertx(), () -> Future.succeededFuture(distinct(receiver, first.id()).size()),
          n -> n >= expected.size(), 30_000).await();
      List<WebhookReceiver.Received> got = distinct(receiver, first.id());
      assertEquals(expected, got.stream().map(WebhookReceiver.Received::event).toList());
      for (WebhookReceiver.Received delivery : got) {
        assertTrue(delivery.signatureValid(), "signature verifies: " + delivery);
        assertEquals(delivery.deliveryId(), delivery.body().getString("id"));
        assertEquals(delivery.event(), delivery.body().getString("event"));
      }
      assertEquals(cancelled, got.get(1).body().getJsonObject("plan").getLong("id"));
      JsonObject draining = got.get(3).body();
      assertEquals("plan " + planned, draining.getJsonObject("window").getString("startedBy"));
      assertEquals(planned, draining.getJsonObject("plan").getLong("id"));
      JsonObject summary = got.get(5).body().getJsonObject("summary");
      assertNotNull(summary, "ended carries the tenant's log summary");
      assertEquals(0L, summary.getLong("jobStopsAttempted"));

      Eventually.until(node.vertx(), () -> Future.succeededFuture(distinct(receiver, second.id()).size()),
          n -> n >= 1, 30_000).await();
      List<WebhookReceiver.Received> others = distinct(receiver, second.id());
      assertEquals(List.of("maintenance.ended"), others.stream().map(WebhookReceiver.Received::event).toList());
      assertTrue(others.get(0).signatureValid());

      // the receiver answers before the node records the answer: wait for the last record
      JsonArray listing = Eventually.until(node.vertx(), () -> deliveriesLater(everything), rows -> rows.size() == 6
          && rows.stream().allMatch(row -> "Delivered".equals(((JsonObject) row).getString("state"))), 30_000).await();
      assertEquals(6, listing.size(), listing.encode());
      for (Object row : listing) {
        JsonObject delivery = (JsonObject) row;
        assertEquals("Delivered", delivery.getString("state"), delivery.encode());
        assertEquals(204, delivery.getJsonArray("tries").getJsonObject(0).getInteger("status"));
      }
      assertEquals(404, api.get("/api/Webhooks/" + endsOnly + "/Deliveries", first.adminToken()).await().statusCode(),
          "another tenant's webhook is not found");
      Scrape metrics = Scrape.parse(api.get("/metrics", null).await().bodyAsString());
      assertTrue(metrics.value("orchestrator_webhook_deliveries_total{event=\"maintenance.ended\",outcome=\"delivered\"}")
          >= 2, "counted");
    } finally {
      receiver.down();
      api.send(HttpMethod.DELETE, "/api/Webhooks/" + everything, first.adminToken()).await();
      api.send(HttpMethod.DELETE, "/api/Webhooks/" + endsOnly, second.adminToken()).await();
    }
  }

  /** A tenant's own window is told to that tenant's receivers only; the platform's events to all. */
  @Test
  void theEventsOfATenantsOwnWindowGoToThatTenantOnly() throws Exception {
    Tenants.Fixture moving = Tenants.create(api, host, "hooked-moving", 0).await();
    Tenants.Fixture staying = Tenants.create(api, host, "hooked-staying", 0).await();
    WebhookReceiver receiver = new WebhookReceiver(vertx, SECRET, ServerProcess.freePort()).up();
    long movingHook = registered(moving, receiver.url("/hook"), all());
    long stayingHook = registered(staying, receiver.url("/hook"), all());
    try {
      Api.expect(api.post("/api/Maintenance/Start?phase=Draining&tenantId=" + moving.id() + "&reason=move", host,
          new JsonObject()).await(), 204).await();
      Api.expect(api.post("/api/Maintenance/End?tenantId=" + moving.id(), host, new JsonObject()).await(), 204).await();
      planAndCancel(api, host); // the platform's events, to everybody: they come after the tenant's
      Eventually.until(node.vertx(), () -> Future.succeededFuture(distinct(receiver, staying.id()).size()),
          n -> n >= 2, 30_000).await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(distinct(receiver, moving.id()).size()),
          n -> n >= 4, 30_000).await();
      assertEquals(List.of("maintenance.draining", "maintenance.ended", "maintenance.planned", "maintenance.cancelled"),
          distinct(receiver, moving.id()).stream().map(WebhookReceiver.Received::event).toList());
      JsonObject ended = distinct(receiver, moving.id()).get(1).body();
      assertEquals("move", ended.getJsonObject("window").getString("reason"), ended.encode());
      assertEquals("Tenant", ended.getString("scope"));
      assertEquals("Platform", distinct(receiver, moving.id()).get(2).body().getString("scope"));
      assertNotNull(ended.getJsonObject("summary"), ended.encode());
      assertEquals(List.of("maintenance.planned", "maintenance.cancelled"),
          distinct(receiver, staying.id()).stream().map(WebhookReceiver.Received::event).toList(),
          "the other tenant hears of the platform's plans only");
      JsonArray stayingDeliveries = Api.expect(api.get("/api/Webhooks/" + stayingHook + "/Deliveries",
          staying.adminToken()).await(), 200).await().getJsonArray("items");
      assertEquals(2, stayingDeliveries.size(), stayingDeliveries.encode());
    } finally {
      receiver.down();
      api.send(HttpMethod.DELETE, "/api/Webhooks/" + movingHook, moving.adminToken()).await();
      api.send(HttpMethod.DELETE, "/api/Webhooks/" + stayingHook, staying.adminToken()).await();
    }
  }

  @Test
  void aReceiverDownForAWhileGetsEveryEventOnceItIsBackAndSlowOrHugeAnswersAreCut() throws Exception {
    WebhookReceiver receiver = new WebhookReceiver(vertx, SECRET, ServerProcess.freePort());
    long hook = registered(first, receiver.url("/hook"), List.of("maintenance.planned", "maintenance.cancelled"));
    long silent = registered(first, receiver.url("/silent"), List.of("maintenance.planned"));
    long huge = registered(first, receiver.url("/huge"), List.of("maintenance.planned"));
    try {
      long plan = planAndCancel(api, host);
      // the receiver is down: attempts fail, are recorded, and are tried again
      JsonArray failing = Eventually.until(node.vertx(), () -> deliveriesLater(hook),
          rows -> rows.size() == 2 && rows.stream().allMatch(r -> ((JsonObject) r).getInteger("attempts") >= 2),
          30_000).await();
      for (Object row : failing) {
        JsonObject delivery = (JsonObject) row;
        assertEquals("Pending", delivery.getString("state"));
        assertNotNull(delivery.getJsonArray("tries").getJsonObject(0).getString("error"), delivery.encode());
      }
      Eventually.until(node.vertx(), () -> api.get("/metrics", null).map(r -> Scrape.parse(r.bodyAsString())
          .value("orchestrator_webhook_outbox_backlog")), n -> n >= 2, 30_000).await();

      receiver.up();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(distinct(receiver, first.id()).stream()
          .filter(r -> r.body().getJsonObject("plan").getLong("id") == plan).count()), n -> n == 2, 30_000).await();
      Set<String> events = new TreeSet<>();
      distinct(receiver, first.id()).stream().filter(r -> r.body().getJsonObject("plan").getLong("id") == plan)
          .forEach(r -> {
            assertTrue(r.signatureValid());
            events.add(r.event());
          });
      assertEquals(Set.of("maintenance.planned", "maintenance.cancelled"), events);
      Eventually.until(node.vertx(), () -> deliveriesLater(hook), rows -> rows.stream()
          .allMatch(r -> "Delivered".equals(((JsonObject) r).getString("state"))), 30_000).await();

      JsonObject slow = Eventually.until(node.vertx(), () -> deliveriesLater(silent).map(rows -> lastTry(rows)),
          attempt -> attempt != null && attempt.getString("error", "").contains("no answer"), 30_000).await();
      assertEquals(null, slow.getValue("status"), slow.encode());
      JsonObject big = Eventually.until(node.vertx(), () -> deliveriesLater(huge).map(rows -> lastTry(rows)),
          attempt -> attempt != null && attempt.getValue("status") != null, 30_000).await();
      assertTrue(big.getString("error").contains("longer than"), big.encode());
      assertTrue(big.getString("response").length() <= 1_024, "only the start of an answer is kept");
    } finally {
      receiver.down();
      for (long id : new long[] {hook, silent, huge}) {
        api.send(HttpMethod.DELETE, "/api/Webhooks/" + id, first.adminToken()).await();
      }
    }
  }

  @Test
  void aKillBetweenCommitAndDeliveryLosesNothing() throws Exception {
    DatabaseEndpoint database = TestDatabase.newSchema("webhooks-crash");
    java.nio.file.Path data = Files.createTempDirectory("webhooks-crash");
    String yaml = "webhooks:\n" + WEBHOOKS.fieldNames().stream().map(k -> "  " + k + ": " + WEBHOOKS.getValue(k) + "\n")
        .collect(Collectors.joining());
    WebhookReceiver receiver = new WebhookReceiver(vertx, SECRET, ServerProcess.freePort());
    ServerProcess process = ServerProcess.start(data, database, 0, -1, yaml);
    Api remote = new Api(vertx, process.port());
    long tenantId;
    try {
      ServerProcess.awaitReady(vertx, remote);
      String token = remote.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(remote, token, "crashed", 0).await();
      tenantId = tenant.id();
      Api.expect(remote.post("/api/Webhooks", tenant.adminToken(), new JsonObject().put("url", receiver.url("/hook"))
          .put("secret", SECRET).put("events", new JsonArray(all()))).await(), 201).await();
      planAndCancel(remote, token);
      Api.expect(remote.post("/api/Maintenance/Start?phase=Draining", token, new JsonObject()).await(), 204).await();
      Api.expect(remote.post("/api/Maintenance/End", token, new JsonObject()).await(), 204).await();
    } finally {
      // committed, and the receiver is down: nothing of it can have been delivered
      process.kill();
    }
    receiver.up();
    try (ServerProcess again = ServerProcess.start(data, database, process.port(), -1, yaml)) {
      ServerProcess.awaitReady(vertx, remote);
      Eventually.until(vertx, () -> Future.succeededFuture(distinct(receiver, tenantId).size()), n -> n >= 4, 60_000)
          .await();
      List<WebhookReceiver.Received> got = distinct(receiver, tenantId);
      assertEquals(List.of("maintenance.planned", "maintenance.cancelled", "maintenance.draining", "maintenance.ended"),
          got.stream().map(WebhookReceiver.Received::event).toList());
      assertTrue(got.stream().allMatch(WebhookReceiver.Received::signatureValid));
    } finally {
      receiver.down();
    }
  }
}
