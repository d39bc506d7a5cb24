package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;
import org.orchestrator.simulator.RobotStats;

/**
 * Robots as they really behave (SPEC section 5), over real HTTP: a restarted simulator gets work
 * again and the jobs it forgot are Faulted; a robot back from a window with a stale job gets a
 * KillJob; a foreign job id gets a KillJob; a resent log batch or queue item is stored once; a robot
 * cannot start what it was not handed, nor start anything while maintenance forbids it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class RobotReconciliationTest {

  private static final String GONE = "robot no longer runs this job";

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Maintenance maintenance;
  private static Tenants.Fixture tenant;
  private static Tenants.Fixture other;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("reconcile");
    api = node.api();
    host = api.signInHostAdmin().await();
    maintenance = new Maintenance(api, host);
    tenant = Tenants.create(api, host, "reconcile", 8).await();
    other = Tenants.create(api, host, "reconcile-other", 1).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @AfterEach
  void endAnyWindow() {
    if (!"None".equals(maintenance.get(null).await().getString("state"))) {
      maintenance.end().await();
    }
  }

  private static long createJob(Tenants.Fixture owner, Tenants.Robot robot) {
    JsonObject body = new JsonObject().put("processName", "p");
    if (robot != null) {
      body.put("robotId", robot.id());
    }
    return Api.expect(api.post("/api/Jobs", owner.adminToken(), body).await(), 201).await().getLong("id");
  }

  private static JsonObject job(Tenants.Fixture owner, long id) {
    return Api.expect(api.get("/api/Jobs/" + id, owner.adminToken()).await(), 200).await();
  }

  private static JsonArray heartbeat(Tenants.Robot robot, Long... running) {
    JsonObject body = new JsonObject().put("runningJobs", new JsonArray(List.of((Object[]) running)));
    return Api.expect(api.post("/api/robot/heartbeat", robot.token(), body).await(), 200).await()
        .getJsonArray("commands");
  }

  private static Map<Long, String> byJob(JsonArray commands) {
    return commands.stream().map(c -> (JsonObject) c)
        .collect(Collectors.toMap(c -> c.getLong("jobId"), c -> c.getString("type")));
  }

  private static int report(Tenants.Robot robot, long job, String state) {
    return api.post("/api/robot/jobs/" + job + "/state", robot.token(), new JsonObject().put("state", state)).await()
        .statusCode();
  }

  /** A job handed to {@code robot} and reported Running. */
  private static long running(Tenants.Robot robot) {
    long job = createJob(tenant, robot);
    assertEquals("StartJob", byJob(heartbeat(robot)).get(job));
    assertEquals(200, report(robot, job, "Running"));
    return job;
  }

  private static Future<Long> total(String path) {
    return api.count(path, tenant.adminToken());
  }

  @Test
  @Order(1)
  void aRestartedSimulatorGetsWorkAgainAndTheJobsItForgotAreFaulted() throws Exception {
    List<Tenants.Robot> robots = tenant.robots().subList(0, 4);
    URI server = URI.create("http://127.0.0.1:" + node.port());
    RobotSettings settings = RobotSettings.defaults().withHeartbeat(Duration.ofMillis(100))
        .withJobDuration(Duration.ofMinutes(10)).withLogEvery(Duration.ofMillis(200));
    List<RobotFleet.Credentials> credentials = robots.stream().map(Tenants.Robot::credentials).toList();
    RobotFleet first = RobotFleet.deploy(node.vertx(), server, credentials, settings).await();
    List<Long> before = new ArrayList<>();
    for (Tenants.Robot robot : robots) {
      before.add(createJob(tenant, robot));
    }
    Eventually.until(node.vertx(), () -> total("/api/Jobs?state=Running"), n -> n == robots.size(), 30_000)
        .await();

    // Ctrl-C: the robots forget their jobs without a word; then new work waits for them
    first.close().await();
    List<Long> after = new ArrayList<>();
    for (Tenants.Robot robot : robots) {
      after.add(createJob(tenant, robot));
    }
    RobotFleet second = RobotFleet.deploy(node.vertx(), server, credentials, settings).await();
    try {
      for (long id : before) {
        JsonObject faulted = Eventually.until(node.vertx(), () -> api.get("/api/Jobs/" + id, tenant.adminToken())
            .compose(r -> Api.expect(r, 200)), j -> "Faulted".equals(j.getString("state")), 30_000).await();
        assertEquals(GONE, faulted.getString("info"));
      }
      for (long id : after) {
        Eventually.until(node.vertx(), () -> api.get("/api/Jobs/" + id, tenant.adminToken())
            .compose(r -> Api.expect(r, 200)), j -> "Running".equals(j.getString("state")), 30_000).await();
      }
      Eventually.until(node.vertx(), () -> Future.succeededFuture(second.runningJobs()), n -> n == robots.size(),
          10_000).await(); // every robot is busy again
      RobotStats stats = first.stats();
      stats.add(second.stats());
      assertEquals(0, stats.unexpected.get(), stats.toString());
    } finally {
      second.close().await();
    }
    // finish the second round's jobs so that the robots are free for the next tests
    for (int i = 0; i < robots.size(); i++) {
      assertEquals(200, report(robots.get(i), after.get(i), "Successful"));
    }
  }

  @Test
  @Order(2)
  void aRobotBackFromAWindowWithAStaleJobGetsKillJobAndTheJobItForgotIsFaulted() throws Exception {
    Tenants.Robot robot = tenant.robots().get(4);
    long settled = running(robot);
    assertEquals(200, report(robot, settled, "Successful"));
    long forgotten = running(robot);

    maintenance.start("phase=Draining&reason=stale").await();
    maintenance.start("phase=Suspended&force=true").await();
    maintenance.end().await();

    // it comes back believing it still runs the settled job, and has lost the other one
    Map<Long, String> first = byJob(heartbeat(robot, settled));
    assertEquals("KillJob", first.get(settled), first.toString());
    assertEquals("StopJob", first.get(forgotten), first.toString());
    assertEquals("Stopping", job(tenant, forgotten).getString("state"), "one missed heartbeat is not enough");
    Map<Long, String> second = byJob(heartbeat(robot, settled));
    assertEquals("KillJob", second.get(settled));
    JsonObject faulted = job(tenant, forgotten);
    assertEquals("Faulted", faulted.getString("state"));
    assertEquals(GONE, faulted.getString("info"));
    assertEquals("Successful", job(tenant, settled).getString("state"), "the settled job stays as it was");

    // a robot that lists its job again resets the count: a gap of one heartbeat never faults
    long kept = running(robot);
    heartbeat(robot);
    heartbeat(robot, kept);
    heartbeat(robot);
    assertEquals("Running", job(tenant, kept).getString("state"));
    assertEquals(200, report(robot, kept, "Successful"));
  }

  @Test
  @Order(3)
  void aForeignOrUnknownJobIdGetsKillJobAndTheOwnersJobIsUntouched() throws Exception {
    Tenants.Robot robot = tenant.robots().get(5);
    Tenants.Robot neighbour = tenant.robots().get(6);
    long neighbours = running(neighbour);
    long otherTenants = createJob(other, other.robots().get(0));
    JsonArray commands = heartbeat(robot, neighbours, otherTenants, 987_654_321L);
    Map<Long, String> kills = byJob(commands);
    assertEquals(Map.of(neighbours, "KillJob", otherTenants, "KillJob", 987_654_321L, "KillJob"), kills);
    commands.forEach(c -> assertNull(((JsonObject) c).getString("processName"), "nothing of a foreign job leaks"));
    assertEquals("Running", job(tenant, neighbours).getString("state"));
    assertEquals("Pending", job(other, otherTenants).getString("state"));
    // and the robot's own free slot still gets work
    long mine = createJob(tenant, robot);
    assertEquals("StartJob", byJob(heartbeat(robot)).get(mine));
    assertEquals(200, report(robot, mine, "Running"));

    // bad lists are refused
    Expect.error(api.post("/api/robot/heartbeat", robot.token(),
        new JsonObject().put("runningJobs", new JsonArray().add("x"))).await(), 400, "BAD_REQUEST");
    Expect.error(api.post("/api/robot/heartbeat", robot.token(),
        new JsonObject().put("runningJobs", new JsonArray().add(0))).await(), 400, "BAD_REQUEST");
    JsonArray tooMany = new JsonArray();
    for (int i = 1; i <= 1001; i++) {
      tooMany.add(i);
    }
    Expect.error(api.post("/api/robot/heartbeat", robot.token(), new JsonObject().put("runningJobs", tooMany)).await(),
        400, "BAD_REQUEST");
    assertEquals(200, report(robot, mine, "Successful"));
    assertEquals(200, report(neighbour, neighbours, "Successful"));

    // a free robot that lists the tenant's unassigned job (the only one) is handed it in the same
    // heartbeat: StartJob only, not a KillJob beside it (the job is its own from that moment)
    long unassigned = createJob(tenant, null);
    assertEquals(Map.of(unassigned, "StartJob"), byJob(heartbeat(robot, unassigned)));
    assertEquals(200, report(robot, unassigned, "Running"));
    assertEquals(200, report(robot, unassigned, "Successful"));
  }

  @Test
  @Order(4)
  void aResentLogBatchOrQueueItemIsStoredOnceAlsoAcrossAWindow() throws Exception {
    Tenants.Robot robot = tenant.robots().get(7);
    long job = running(robot);
    JsonArray lines = new JsonArray();
    for (int i = 0; i < 3; i++) {
      lines.add(new JsonObject().put("jobId", job).put("level", "Info").put("message", "line " + i)
          .put("timeStamp", Instant.now().toString()));
    }
    JsonObject batch = new JsonObject().put("batchId", "batch-1").put("lines", lines);
    maintenance.start("phase=Draining&reason=batches").await();
    assertEquals(3, Api.expect(api.post("/api/robot/logs", robot.token(), batch).await(), 200).await()
        .getInteger("stored"));
    assertEquals(3, Api.expect(api.post("/api/robot/logs", robot.token(), batch).await(), 200).await()
        .getInteger("stored"), "a resend gets the same answer");
    maintenance.start("phase=Suspended&force=true").await();
    maintenance.end().await();
    assertEquals(3, Api.expect(api.post("/api/robot/logs", robot.token(), batch).await(), 200).await()
        .getInteger("stored"), "a resend after End gets the same answer");
    assertEquals(3L, total("/api/RobotLogs?jobId=" + job).await(), "stored once");

    // the bare array stays valid; a bad batch id is refused with nothing stored
    var bare = api.request(io.vertx.core.http.HttpMethod.POST, "/api/robot/logs", robot.token()).sendJson(lines)
        .await();
    assertEquals(3, Api.expect(bare, 200).await().getInteger("stored"));
    for (Object bad : new Object[] {"", "x".repeat(129), "with space", 7}) {
      Expect.error(api.post("/api/robot/logs", robot.token(), new JsonObject().put("batchId", bad)
          .put("lines", lines)).await(), 400, "BAD_REQUEST");
    }
    Expect.error(api.post("/api/robot/logs", robot.token(), new JsonObject().put("batchId", "b")
        .put("lines", lines).put("extra", 1)).await(), 400, "BAD_REQUEST");
    assertEquals(6L, total("/api/RobotLogs?jobId=" + job).await());

    // queue items: the same reference twice is one item; another payload under it is a conflict
    JsonObject item = new JsonObject().put("reference", "invoice-42").put("payload", new JsonObject().put("n", 42));
    long id = Api.expect(api.post("/api/robot/queues/invoices/items", robot.token(), item).await(), 201).await()
        .getLong("id");
    assertEquals(id, Api.expect(api.post("/api/robot/queues/invoices/items", robot.token(), item).await(), 201)
        .await().getLong("id"));
    Expect.error(api.post("/api/robot/queues/invoices/items", robot.token(), new JsonObject()
        .put("reference", "invoice-42").put("payload", new JsonObject().put("n", 43))).await(), 409, "CONFLICT");
    assertEquals(1L, total("/api/QueueItems?queue=invoices").await());
    assertEquals(200, report(robot, job, "Successful"));
  }

  @Test
  @Order(5)
  void aRobotStartsOnlyWhatItWasHandedAndNothingWhileMaintenanceForbidsIt() throws Exception {
    Tenants.Robot robot = tenant.robots().get(0);
    Tenants.Robot second = tenant.robots().get(1);
    long neverHanded = createJob(tenant, robot);
    JsonObject refused = Expect.error(api.post("/api/robot/jobs/" + neverHanded + "/state", robot.token(),
        new JsonObject().put("state", "Running")).await(), 409, "JOB_NOT_STARTABLE");
    assertTrue(refused.getString("message").contains("not handed"), refused.encode());
    assertEquals("Pending", job(tenant, neverHanded).getString("state"));

    // handed before Draining: the Stop sweep makes it Stopping; a late Running changes nothing
    assertEquals("StartJob", byJob(heartbeat(robot)).get(neverHanded));
    long waiting = createJob(tenant, second);
    maintenance.start("phase=Draining&reason=start%20gate").await();
    // (the human API is closed while Draining: the robot's reply shows the job)
    JsonObject swept = Api.expect(api.post("/api/robot/jobs/" + neverHanded + "/state", robot.token(),
        new JsonObject().put("state", "Running")).await(), 200).await();
    assertEquals("Stopping", swept.getString("state"));
    assertNull(swept.getString("startedAt"));
    // never handed, during Draining: refused, nothing changes, and no StartJob is handed out
    Expect.error(api.post("/api/robot/jobs/" + waiting + "/state", second.token(),
        new JsonObject().put("state", "Running")).await(), 409, "JOB_NOT_STARTABLE");
    assertTrue(heartbeat(second).isEmpty());
    assertEquals(200, report(robot, neverHanded, "Stopped"));
    maintenance.end().await();
    assertEquals("Pending", job(tenant, waiting).getString("state"));
    assertEquals("StartJob", byJob(heartbeat(second)).get(waiting));
    assertEquals(200, report(second, waiting, "Running"));
    assertEquals(200, report(second, waiting, "Successful"));
  }
}
