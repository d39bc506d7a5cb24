package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;

/** The robot simulator against a real node: jobs run to the end, stops are honoured, logs arrive. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class SimulatedFleetTest {

  private static TestNode node;
  private static Api api;
  private static Tenants.Fixture tenant;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("fleet");
    api = node.api();
    tenant = Tenants.create(api, api.signInHostAdmin().await(), "fleet", 5).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static Future<Long> jobs(String state) {
    return api.count("/api/Jobs?state=" + state, tenant.adminToken());
  }

  @Test
  void jobsRunToTheEndStopsAreHonouredAndEveryLogLineIsStored(VertxTestContext ctx) {
    RobotSettings settings = RobotSettings.defaults().withHeartbeat(Duration.ofMillis(50))
        .withJobDuration(Duration.ofMillis(300)).withLogEvery(Duration.ofMillis(40))
        .withStopGrace(Duration.ofMillis(100));
    List<Future<?>> created = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      created.add(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "quick")
          .put("robotId", tenant.robots().get(1 + i % 4).id())));
    }
    URI server = URI.create("http://127.0.0.1:" + node.port());
    RobotFleet fleet = RobotFleet.deploy(node.vertx(), server,
        tenant.robots().subList(1, 5).stream().map(Tenants.Robot::credentials).toList(), settings).await();
    RobotFleet slow = RobotFleet.deploy(node.vertx(), server, List.of(tenant.robots().get(0).credentials()),
        settings.withJobDuration(Duration.ofMinutes(1))).await();
    Future.all(created)
        .compose(all -> Eventually.until(node.vertx(), () -> jobs("Successful"),
            n -> n == 10, 20_000))
        .compose(done -> api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "endless")
                .put("robotId", tenant.robots().get(0).id()))
            .compose(r -> Api.expect(r, 201)))
        .compose(job -> Eventually.until(node.vertx(),
                () -> api.get("/api/Jobs/" + job.getLong("id"), tenant.adminToken()).compose(r -> Api.expect(r, 200)),
                j -> "Running".equals(j.getString("state")), 10_000)
            .compose(running -> api.post("/api/Jobs/" + job.getLong("id") + "/Stop", tenant.adminToken(), new JsonObject()))
            .compose(stopping -> Eventually.until(node.vertx(),
                () -> api.get("/api/Jobs/" + job.getLong("id"), tenant.adminToken()).compose(r -> Api.expect(r, 200)),
                j -> "Stopped".equals(j.getString("state")), 10_000)))
        .compose(stopped -> Eventually.until(node.vertx(),
            () -> Future.succeededFuture(fleet.unsent() + slow.unsent()), unsent -> unsent == 0, 10_000))
        .compose(flushed -> api.count("/api/RobotLogs", tenant.adminToken()))
        .onComplete(ctx.succeeding(logs -> ctx.verify(() -> {
          org.orchestrator.simulator.RobotStats all = fleet.stats();
          all.add(slow.stats());
          assertEquals(all.logsAcknowledged.get(), logs, "acknowledged = stored");
          assertEquals(all.logsWritten.get(), all.logsAcknowledged.get(), "written = acknowledged");
          assertEquals(0, all.unexpected.get());
          assertEquals(10, all.jobsSucceeded.get());
          assertEquals(1, all.jobsStopped.get());
          Future.all(fleet.close(), slow.close()).onComplete(closed -> ctx.completeNow());
        })));
  }
}
