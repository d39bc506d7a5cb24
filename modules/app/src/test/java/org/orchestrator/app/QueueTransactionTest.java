package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queue transactions: robots take the next item (never two robots the same one) and report its
 * result (only the robot that took it; a resend is answered the same); allowed while Draining,
 * refused while Suspended; an item whose robot goes silent is New again for another robot.
 */
@org.junit.jupiter.api.Timeout(120)
class QueueTransactionTest {

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture tenant;
  private static Tenants.Fixture other;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("queues", new JsonObject().put("jobs", new JsonObject().put("heartbeatGraceSeconds", 1)
        .put("robotDeadAfterSeconds", 1)));
    api = node.api();
    host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "queues", 3).await();
    other = Tenants.create(api, host, "elsewhere", 1).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static long add(Tenants.Robot robot, String queue, String reference) {
    return Api.expect(api.post("/api/robot/queues/" + queue + "/items", robot.token(), new JsonObject()
        .put("reference", reference).put("payload", new JsonObject().put("ref", reference))).await(), 201).await()
        .getLong("id");
  }

  private static HttpResponse<Buffer> take(Tenants.Robot robot, String queue) {
    return api.post("/api/robot/queues/" + queue + "/next", robot.token(), new JsonObject()).await();
  }

  private static HttpResponse<Buffer> finish(Tenants.Robot robot, long item, JsonObject result) {
    return api.post("/api/robot/queue-items/" + item + "/result", robot.token(), result).await();
  }

  @Test
  void robotsTakeEachItemOnceAndOnlyTheTakerFinishesIt() throws Exception {
    Tenants.Robot a = tenant.robots().get(0);
    Tenants.Robot b = tenant.robots().get(1);
    List<Long> added = List.of(add(a, "orders", "o-1"), add(a, "orders", "o-2"), add(a, "orders", "o-3"));
    // both robots ask at once, twice: four asks, three items, never one item twice
    List<Future<HttpResponse<Buffer>>> asks = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      asks.add(api.post("/api/robot/queues/orders/next", a.token(), new JsonObject()));
      asks.add(api.post("/api/robot/queues/orders/next", b.token(), new JsonObject()));
    }
    Future.all(asks).await();
    Set<Long> taken = new HashSet<>();
    int empty = 0;
    for (Future<HttpResponse<Buffer>> ask : asks) {
      HttpResponse<Buffer> response = ask.result();
      if (response.statusCode() == 204) {
        empty++;
      } else {
        assertEquals(200, response.statusCode(), response.bodyAsString());
        assertEquals(true, taken.add(response.bodyAsJsonObject().getLong("id")), "an item given twice");
      }
    }
    assertEquals(Set.copyOf(added), taken);
    assertEquals(1, empty);

    long first = added.get(0);
    Tenants.Robot holder = holderOf(first, a, b);
    Tenants.Robot stranger = holder == a ? b : a;
    JsonObject done = new JsonObject().put("status", "Successful").put("output", new JsonObject().put("n", 1));
    assertEquals(409, finish(stranger, first, done).statusCode(), "only the robot that took it finishes it");
    HttpResponse<Buffer> finished = finish(holder, first, done);
    assertEquals(200, finished.statusCode(), finished.bodyAsString());
    assertEquals("Successful", finished.bodyAsJsonObject().getString("status"));
    assertEquals(200, finish(holder, first, done).statusCode(), "the same result again is a resend");
    assertEquals(409, finish(holder, first, new JsonObject().put("status", "Failed")).statusCode());
    assertEquals(404, finish(other.robots().get(0), first, done).statusCode(), "another tenant sees no such item");
    assertEquals(404, finish(holder, 987_654_321L, done).statusCode());
    assertEquals(400, finish(holder, first, new JsonObject().put("status", "Maybe")).statusCode());
    assertEquals(400, take(holder, "bad%21queue").statusCode());
    // the hot robot routes check by hand what the contract says
    for (String body : new String[] {"{\"payload\": 5}", "{\"payload\": {}, \"extra\": 1}",
        "{\"payload\": {}, \"reference\": 5}", "{}", "[]", "\"x\"", "{\"payload\": {\"n\": 99999999999999999999}}"}) {
      HttpResponse<Buffer> refused = api.request(io.vertx.core.http.HttpMethod.POST, "/api/robot/queues/orders/items",
          holder.token()).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)).await();
      assertEquals(400, refused.statusCode(), body + " -> " + refused.bodyAsString());
    }
    HttpResponse<Buffer> listHeartbeat = api.request(io.vertx.core.http.HttpMethod.POST, "/api/robot/heartbeat",
        holder.token()).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("[]")).await();
    assertEquals(400, listHeartbeat.statusCode(), listHeartbeat.bodyAsString());
    JsonObject listed = Api.expect(api.get("/api/QueueItems?queueName=orders", tenant.adminToken()).await(), 200)
        .await().getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(item -> item.getLong("id") == first).findFirst().orElseThrow();
    assertEquals("Successful", listed.getString("status"));
    assertEquals(new JsonObject().put("n", 1), listed.getJsonObject("output"));
  }

  @Test
  void transactionsGoOnWhileDrainingAndStopWhileSuspended() throws Exception {
    Tenants.Robot robot = tenant.robots().get(2);
    add(robot, "maintenance-q", "m-1");
    add(robot, "maintenance-q", "m-2");
    Maintenance maintenance = new Maintenance(api, host);
    maintenance.start("phase=Draining").await();
    try {
      HttpResponse<Buffer> taken = take(robot, "maintenance-q");
      assertEquals(200, taken.statusCode(), "robots finish their transactions while Draining");
      assertEquals(200, finish(robot, taken.bodyAsJsonObject().getLong("id"), new JsonObject().put("status", "Failed"))
          .statusCode());
      maintenance.start("phase=Suspended&force=true").await();
      assertEquals(503, take(robot, "maintenance-q").statusCode());
    } finally {
      maintenance.end().await();
    }
    assertEquals(200, take(robot, "maintenance-q").statusCode(), "the second item, after End");
  }

  @Test
  void anItemWhoseRobotFallsSilentIsNewAgainForAnother() throws Exception {
    Tenants.Fixture fleet = Tenants.create(api, host, "silent", 2).await();
    Tenants.Robot silent = fleet.robots().get(0);
    Tenants.Robot alive = fleet.robots().get(1);
    long item = add(alive, "work", "w-1");
    silent.heartbeat().await(); // known to liveness
    assertEquals(item, take(silent, "work").bodyAsJsonObject().getLong("id"));
    assertEquals(204, take(alive, "work").statusCode());
    // the silent robot says nothing more; the other keeps heartbeating until the item is its own
    HttpResponse<Buffer> retaken = Eventually.until(node.vertx(), () -> alive.heartbeat()
            .compose(ok -> api.post("/api/robot/queues/work/next", alive.token(), new JsonObject())),
        response -> response.statusCode() == 200, 30_000).await();
    assertEquals(item, retaken.bodyAsJsonObject().getLong("id"));
    assertNotEquals(409, finish(alive, item, new JsonObject().put("status", "Successful")).statusCode());
  }

  private static Tenants.Robot holderOf(long item, Tenants.Robot a, Tenants.Robot b) {
    JsonObject listed = Api.expect(api.get("/api/QueueItems?queueName=orders", tenant.adminToken()).await(), 200)
        .await().getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(i -> i.getLong("id") == item).findFirst().orElseThrow();
    assertEquals("InProgress", listed.getString("status"));
    return listed.getLong("processingRobotId") == a.id() ? a : b;
  }
}
