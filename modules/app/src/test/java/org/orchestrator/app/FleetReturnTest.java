package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The return after End (decision 117): new work is handed out at the node's pace, robots are told
 * to come back over a spread (Retry-After while Suspended, the push channel's {@code suspended} and
 * {@code resumed} events), and the operator sees the fleet come back (Get's {@code return}, the
 * {@code orchestrator_return_robots_*} gauges).
 */
@Timeout(120)
class FleetReturnTest {

  private static boolean startsJob(JsonArray commands) {
    return commands.stream().anyMatch(c -> "StartJob".equals(((JsonObject) c).getString("type")));
  }

  @Test
  void newWorkIsHandedOutAtTheNodesPaceAndIdleRobotsDoNotSpendIt() throws Exception {
    // a burst of 3, then one job every 1,000 s: within this test, exactly the burst
    try (TestNode node = TestNode.start("paced", new JsonObject().put("jobs", new JsonObject()
        .put("startsPerSecond", 0.001).put("startBurst", 3)))) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "paced", 8).await();
      List<Tenants.Robot> robots = tenant.robots();
      // idle robots heartbeat first: they find nothing, and give the pace back
      for (int round = 0; round < 3; round++) {
        for (Tenants.Robot idle : robots.subList(6, 8)) {
          assertFalse(startsJob(idle.heartbeat().await()));
        }
      }
      for (Tenants.Robot robot : robots.subList(0, 6)) {
        Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")
            .put("robotId", robot.id())).await(), 201).await();
      }
      List<Tenants.Robot> started = new ArrayList<>();
      List<Tenants.Robot> waiting = new ArrayList<>();
      for (Tenants.Robot robot : robots.subList(0, 6)) {
        (startsJob(robot.heartbeat().await()) ? started : waiting).add(robot);
      }
      assertEquals(3, started.size(), "the burst, whatever idle robots asked before");
      for (Tenants.Robot robot : waiting) {
        assertFalse(startsJob(robot.heartbeat().await()), "the pace holds until it refills");
      }
      // a job handed out stays this robot's StartJob until it reports: the pace is for new work only
      for (Tenants.Robot robot : started) {
        assertTrue(startsJob(robot.heartbeat().await()));
      }
      double paced = Scrape.parse(api.get("/metrics", null).await().bodyAsString())
          .value("orchestrator_job_starts_paced_total");
      // every heartbeat that found the pace spent: the three waiting ones twice, the three holding
      // a job once (a heartbeat does not know before its query whether work waits for it)
      assertEquals(9.0, paced, "heartbeats that found the pace spent: " + paced);
    }
  }

  @Test
  void robotsAreToldToComeBackOverTheSpreadAndTheReturnIsCounted() throws Exception {
    try (TestNode node = TestNode.start("returning", new JsonObject().put("maintenance", new JsonObject()
        .put("robotReturnSpreadSeconds", 3)))) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Maintenance maintenance = new Maintenance(api, host);
      assertFalse(maintenance.get(null).await().containsKey("return"), "no window has ended yet");
      Tenants.Fixture tenant = Tenants.create(api, host, "fleet", 4).await();
      for (Tenants.Robot robot : tenant.robots()) {
        robot.heartbeat().await();
      }
      RobotChannelTest.Channel channel = RobotChannelTest.open(node.vertx(), node.port(),
          tenant.robots().get(0).token()).await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(channel.has("commands", "[]")), seen -> seen, 10_000)
          .await();

      maintenance.start("phase=Draining").await();
      maintenance.start("phase=Suspended&force=true").await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(channel.ended), ended -> ended, 10_000).await();
      String suspended = channel.events.stream().filter(e -> e.startsWith("suspended ")).findFirst().orElseThrow();
      int told = new JsonObject(suspended.substring("suspended ".length())).getInteger("retryAfterSeconds");
      assertTrue(told >= 1 && told <= 4, "robotRetryAfterSeconds 1 + 0..3: " + told);
      HttpResponse<Buffer> refused = api.post("/api/robot/heartbeat", tenant.robots().get(1).token(), new JsonObject())
          .await();
      assertEquals(503, refused.statusCode());
      int retryAfter = Integer.parseInt(refused.getHeader("Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= 4, "Retry-After 1 + 0..3: " + retryAfter);

      maintenance.end().await();
      JsonObject back = maintenance.get(null).await().getJsonObject("return");
      assertEquals(4, back.getLong("robotsBefore"), back.encode());
      assertEquals(0, back.getLong("robotsBack"), back.encode());
      tenant.robots().get(0).heartbeat().await();
      tenant.robots().get(1).heartbeat().await();
      back = maintenance.get(null).await().getJsonObject("return");
      assertEquals(2, back.getLong("robotsBack"), back.encode());
      assertEquals(0.5, back.getDouble("ratio"), back.encode());
      assertEquals(0, back.getLong("jobsWaiting"));
      Eventually.until(node.vertx(), () -> api.get("/metrics", null).map(r -> Scrape.parse(r.bodyAsString())),
          metrics -> metrics.value("orchestrator_return_robots_before") == 4.0
              && metrics.value("orchestrator_return_robots_back") == 2.0, 10_000).await();

      // a robot holding its channel at End is told when to heartbeat for its next job
      RobotChannelTest.Channel held = RobotChannelTest.open(node.vertx(), node.port(),
          tenant.robots().get(2).token()).await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(held.has("commands", "[]")), seen -> seen, 10_000)
          .await();
      maintenance.start("phase=Draining").await();
      maintenance.end().await();
      Eventually.until(node.vertx(), () -> Future.succeededFuture(held.has("resumed", "heartbeatAfterMillis")),
          seen -> seen, 10_000).await();
      String resumed = held.events.stream().filter(e -> e.startsWith("resumed ")).findFirst().orElseThrow();
      long after = new JsonObject(resumed.substring("resumed ".length())).getLong("heartbeatAfterMillis");
      assertTrue(after >= 0 && after <= 3_000, "a share of the 3 s spread: " + after);
    }
  }
}
