package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * One node runs the maintenance tick (stop sweep, counts, auto-suspend); the others read the
 * progress it stores. When it goes, another node takes the tick over: a window with autoSuspend
 * still suspends by itself once the last job ends, reported to the surviving node.
 */
@Timeout(120)
class TickLeaderTest {

  @Test
  void theOtherNodesReadTheTickersProgressAndOneTakesOverWhenItStops() throws Exception {
    DatabaseEndpoint database = TestDatabase.newSchema("tick_leader");
    Path keys = Files.createTempDirectory("tick-keys");
    TestNode first = TestNode.start(database, Files.createTempDirectory("tick-a"), keys);
    TestNode second = null;
    boolean firstClosed = false;
    try {
      String host = first.api().signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(first.api(), host, "ticked", 1).await();
      Tenants.Robot robot = tenant.robots().get(0);
      long job = robot.runJob(tenant.adminToken()).await();

      // the first node is alone when the window opens: it takes the tick
      Maintenance viaFirst = new Maintenance(first.api(), host);
      viaFirst.start("phase=Draining&autoSuspend=true").await();
      Eventually.until(first.vertx(), viaFirst::progress, p -> p.getLong("remaining", -1L) == 1, 15_000).await();

      TestNode late = TestNode.start(database, Files.createTempDirectory("tick-b"), keys);
      second = late;
      Maintenance viaSecond = new Maintenance(late.api(), host);
      // the second node serves the first node's progress (the same computation, same instant)
      Eventually.until(late.vertx(), () -> Future.all(viaFirst.progress(), viaSecond.progress())
              .map(both -> both.<JsonObject>resultAt(0).getString("at") + " " + both.<JsonObject>resultAt(1).getString("at")),
          pair -> pair.split(" ")[0].equals(pair.split(" ")[1]), 15_000).await();
      JsonObject setting = viaSecond.get(null).await();
      assertEquals(1, setting.getLong("jobStopsAttempted"), "the host's view counts the window's stops: " + setting);
      assertEquals(1, setting.getJsonArray("tenants").getJsonObject(0).getLong("jobStopsAttempted"));

      first.close();
      firstClosed = true;
      Tenants.Robot onSecond = new Tenants.Robot(late.api(), robot.id(), robot.secret(), robot.token());
      Api.expect(onSecond.report(job, "Stopped").await(), 200).await();

      JsonObject suspended = Eventually.until(late.vertx(), () -> viaSecond.get(null),
          s -> "Suspended".equals(s.getString("state")), 20_000).await();
      assertTrue(suspended.getJsonArray("audit").stream().map(JsonObject.class::cast)
              .anyMatch(t -> "autoSuspend: drained".equals(t.getString("note"))),
          "the surviving node ticked and suspended: " + suspended.getJsonArray("audit"));
    } finally {
      if (!firstClosed) {
        first.close();
      }
      if (second != null) {
        second.close();
      }
    }
  }
}
