package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Liveness with a short {@code robotDeadAfterSeconds} (1 s, grace 1 s): a robot that falls silent
 * is shown Disconnected and its job Faulted ("robot unresponsive"); during Suspended nothing is
 * faulted however long the silence, and after End the robot gets its time again.
 */
@Timeout(120)
class RobotLivenessTest {

  private static TestNode node;
  private static Api api;
  private static Tenants.Fixture tenant;
  private static Maintenance maintenance;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("liveness", new JsonObject().put("jobs", new JsonObject().put("heartbeatGraceSeconds", 1)
        .put("robotDeadAfterSeconds", 1)));
    api = node.api();
    String host = api.signInHostAdmin().await();
    maintenance = new Maintenance(api, host);
    tenant = Tenants.create(api, host, "liveness", 2).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static long running(Tenants.Robot robot) {
    return robot.runJob(tenant.adminToken()).await();
  }

  private static Future<JsonObject> job(long id) {
    return api.get("/api/Jobs/" + id, tenant.adminToken()).compose(r -> Api.expect(r, 200));
  }

  private static Future<String> status(Tenants.Robot robot) {
    return api.get("/api/Robots", tenant.adminToken()).compose(r -> Api.expect(r, 200))
        .map(list -> list.getJsonArray("items").stream().map(r -> (JsonObject) r)
            .filter(r -> r.getLong("id") == robot.id()).findFirst().orElseThrow().getString("status"));
  }

  private static void pause(long ms) {
    Promise<Void> done = Promise.promise();
    node.vertx().setTimer(ms, id -> done.complete());
    done.future().await();
  }

  @Test
  void aSilentRobotIsDisconnectedAndItsJobFaultedButNeverDuringSuspended() throws Exception {
    Tenants.Robot silent = tenant.robots().get(0);
    long job = running(silent);
    JsonObject faulted = Eventually.until(node.vertx(), () -> job(job), j -> "Faulted".equals(j.getString("state")),
        30_000).await();
    assertEquals("robot unresponsive", faulted.getString("info"));
    assertEquals("Disconnected", status(silent).await());

    // during Suspended the robots are cut off, not dead: nothing is faulted however long it lasts
    Tenants.Robot cutOff = tenant.robots().get(1);
    long kept = running(cutOff);
    maintenance.start("phase=Draining&reason=liveness").await();
    maintenance.start("phase=Suspended&force=true").await();
    // (the human API is closed while Suspended.) Several sweep periods of silence pass; waiting
    // longer could only make the check stricter, never flaky
    pause(3_000);
    Instant beforeEnd = Instant.now();
    maintenance.end().await();

    // after End the robot is given robotDeadAfterSeconds again; silent beyond that, its job faults,
    // and only then: it ended after the window did
    JsonObject afterEnd = Eventually.until(node.vertx(), () -> job(kept),
        j -> "Faulted".equals(j.getString("state")), 30_000).await();
    assertEquals("robot unresponsive", afterEnd.getString("info"));
    assertTrue(Instant.parse(afterEnd.getString("endedAt")).isAfter(beforeEnd), "not faulted while Suspended: "
        + afterEnd.getString("endedAt") + " vs End at " + beforeEnd);
    assertEquals("Disconnected", status(cutOff).await());
    String metrics = api.get("/metrics", null).await().bodyAsString();
    assertTrue(metrics.contains("orchestrator_jobs_faulted_by_server_total{reason=\"robot_unresponsive\"} 2.0"),
        "faults counted");
  }
}
