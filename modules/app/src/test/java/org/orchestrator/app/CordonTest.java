package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.platform.testing.MutableClock;

/**
 * Robot cordon: a cordoned robot is handed no new job while the tenant's other robots take the
 * jobs that name no robot; the jobs that name it wait for it; Stop goes to its running job at once
 * when asked, Kill after {@code killAfter} (on the node's clock, the test's here); it shows in
 * {@code /api/Robots} and the metrics; uncordoned, it works again.
 */
@org.junit.jupiter.api.Timeout(300)
class CordonTest {

  private static MutableClock clock;
  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture tenant;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(Instant.now());
    node = TestNode.start("cordon", clock);
    api = node.api();
    host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "cordoned", 2).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static JsonObject post(String path, JsonObject body, int status) {
    return Api.expect(api.post(path, tenant.adminToken(), body).await(), status).await();
  }

  private static long job(Long robotId) {
    JsonObject body = new JsonObject().put("processName", "work");
    if (robotId != null) {
      body.put("robotId", robotId);
    }
    return post("/api/Jobs", body, 201).getLong("id");
  }

  private static List<String> commands(Tenants.Robot robot) {
    JsonArray commands = robot.heartbeat().await();
    return commands.stream().map(c -> ((JsonObject) c).getString("type") + " " + ((JsonObject) c).getLong("jobId"))
        .toList();
  }

  private static JsonObject robotView(long robotId) {
    return api.get("/api/Robots", tenant.adminToken()).await().bodyAsJsonObject().getJsonArray("items").stream()
        .map(JsonObject.class::cast).filter(r -> r.getLong("id") == robotId).findFirst().orElseThrow();
  }

  @Test
  void aCordonedRobotGetsNoNewWorkItsRunningJobStopsThenDiesAndUncordonedItWorksAgain() throws Exception {
    Tenants.Robot patched = tenant.robots().get(0);
    Tenants.Robot other = tenant.robots().get(1);
    long running = patched.runJob(tenant.adminToken()).await();

    long waiting = job(patched.id());
    JsonObject preview = Api.expect(api.get("/api/Robots/" + patched.id() + "/Cordon", tenant.adminToken()).await(), 200)
        .await();
    assertEquals(List.of(running), preview.getJsonArray("wouldStop").stream().map(id -> ((Number) id).longValue()).toList(),
        preview.encode());
    assertEquals(List.of(waiting), preview.getJsonArray("wouldWait").stream().map(id -> ((Number) id).longValue()).toList());
    assertFalse(preview.getBoolean("cordoned"), "a preview changes nothing");
    assertFalse(robotView(patched.id()).getBoolean("cordoned"));

    JsonObject cordon = post("/api/Robots/" + patched.id() + "/Cordon",
        new JsonObject().put("stopRunning", true).put("killAfter", "PT5M"), 200);
    assertTrue(cordon.getBoolean("cordoned"), cordon.encode());
    assertEquals(1, cordon.getInteger("stopped"), cordon.encode());
    assertEquals("admin", cordon.getString("cordonedBy"));
    assertEquals(List.of("StopJob " + running), commands(patched), "Stop goes to its running job");

    // work naming no robot goes to the other robot; work naming it waits for it
    long anyRobot = job(null);
    assertEquals(List.of("StopJob " + running), commands(patched), "nothing new for the cordoned robot");
    assertEquals(List.of("StartJob " + anyRobot), commands(other));
    assertEquals(List.of("StartJob " + anyRobot), commands(other), "the job naming the cordoned robot waits");

    JsonObject seen = robotView(patched.id());
    assertTrue(seen.getBoolean("cordoned"), seen.encode());
    assertEquals("admin", seen.getString("cordonedBy"));
    assertFalse(robotView(other.id()).getBoolean("cordoned"));
    Eventually.until(node.vertx(), () -> api.get("/metrics", null).map(r -> Scrape.parse(r.bodyAsString())
        .value("orchestrator_robots_cordoned{tenant=\"" + tenant.id() + "\"}")), v -> v == 1.0, 20_000).await();

    // the robot ignores Stop; at killAfter (the node's clock) its job is killed
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    Eventually.until(node.vertx(), () -> api.get("/api/Jobs/" + running, tenant.adminToken())
        .map(r -> r.bodyAsJsonObject().getString("state")), "Terminating"::equals, 20_000).await();
    assertEquals(List.of("KillJob " + running), commands(patched));
    Api.expect(patched.report(running, "Stopped").await(), 200).await();

    // uncordoned, it takes the job that waited for it
    JsonObject uncordoned = post("/api/Robots/" + patched.id() + "/Uncordon", new JsonObject(), 200);
    assertFalse(uncordoned.getBoolean("cordoned"), uncordoned.encode());
    assertEquals(List.of("StartJob " + waiting), commands(patched), "the oldest job that waited for it");
    assertFalse(robotView(patched.id()).getBoolean("cordoned"));
    Eventually.until(node.vertx(), () -> api.get("/metrics", null).map(r -> Scrape.parse(r.bodyAsString())
        .value("orchestrator_robots_cordoned{tenant=\"" + tenant.id() + "\"}")), v -> v == 0.0, 20_000).await();
  }

  @Test
  void badCordonsAreRefusedAndChangeNothing() throws Exception {
    Tenants.Fixture elsewhere = Tenants.create(api, host, "elsewhere", 1).await();
    long foreign = elsewhere.robots().get(0).id();
    List<Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>> refused = List.of(
        api.post("/api/Robots/" + foreign + "/Cordon", tenant.adminToken(), new JsonObject()),
        api.post("/api/Robots/999999/Uncordon", tenant.adminToken(), new JsonObject()),
        api.post("/api/Robots/" + tenant.robots().get(1).id() + "/Cordon", tenant.adminToken(),
            new JsonObject().put("killAfter", "soon")),
        api.post("/api/Robots/" + tenant.robots().get(1).id() + "/Cordon", tenant.adminToken(),
            new JsonObject().put("killAfter", "PT0S")),
        api.post("/api/Robots/" + tenant.robots().get(1).id() + "/Cordon", tenant.adminToken(),
            new JsonObject().put("stopRunning", "yes")),
        api.post("/api/Robots/" + tenant.robots().get(1).id() + "/Cordon", tenant.robots().get(1).token(),
            new JsonObject()));
    int[] expected = {404, 404, 400, 400, 400, 403};
    for (int i = 0; i < expected.length; i++) {
      var response = refused.get(i).await();
      assertEquals(expected[i], response.statusCode(), i + ": " + response.bodyAsString());
    }
    assertFalse(robotView(tenant.robots().get(1).id()).getBoolean("cordoned"), "nothing was cordoned");
  }
}
