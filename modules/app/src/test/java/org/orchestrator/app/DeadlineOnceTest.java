package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * The drain deadline sends Kill once per window in the whole cluster: not again when newer phase
 * versions are loaded after it passed, not on the other node, not on a node started afterwards.
 */
@org.junit.jupiter.api.Timeout(120)
class DeadlineOnceTest {

  private static final List<TestNode> nodes = new ArrayList<>();
  private static final AtomicInteger killSweeps = new AtomicInteger();
  private static DatabaseEndpoint database;
  private static Path keys;

  @BeforeAll
  static void start() throws Exception {
    database = TestDatabase.newSchema("deadline-once");
    keys = Files.createTempDirectory("deadline-keys");
    for (int i = 0; i < 2; i++) {
      nodes.add(counted(TestNode.start(database, Files.createTempDirectory("deadline-" + i), keys)));
    }
  }

  /** Counts the kill sweeps a node's phase module asks job control for. */
  private static TestNode counted(TestNode node) {
    node.vertx().eventBus().addOutboundInterceptor(delivery -> {
      if (delivery.message().address().equals(Addresses.JOBS_MAINTENANCE_KILL_ALL.name())) {
        killSweeps.incrementAndGet();
      }
      delivery.next();
    });
    return node;
  }

  @AfterAll
  static void stop() throws Exception {
    for (TestNode node : nodes) {
      node.close();
    }
  }

  private static long deadlineKills(JsonObject setting) {
    return setting.getJsonArray("audit").stream().map(JsonObject.class::cast)
        .filter(entry -> String.valueOf(entry.getString("note")).contains("elapsed")).count();
  }

  @Test
  void theDeadlineKillsOncePerWindowAcrossReloadsNodesAndRestarts() throws Exception {
    Api first = nodes.get(0).api();
    String host = first.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(first, host, "deadline", 1).await();
    Tenants.Robot robot = tenant.robots().get(0);
    long job = Api.expect(first.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "stubborn")
        .put("robotId", robot.id())).await(), 201).await().getLong("id");
    robot.heartbeat().await();
    robot.report(job, "Running").await(); // and never stops

    Maintenance maintenance = new Maintenance(first, host);
    maintenance.start("phase=Draining&killAfter=PT1S&reason=deadline").await();
    Eventually.until(nodes.get(0).vertx(), () -> maintenance.get(null), s -> deadlineKills(s) == 1, 20_000).await();

    // newer versions of the window after the deadline: each node reloads them (NOTIFY) ...
    for (int i = 0; i < 3; i++) {
      new Maintenance(nodes.get(i % 2).api(), host).start("phase=Draining&reason=reload-" + i).await();
    }
    // ... and a node started after the deadline enforces the window
    TestNode late = counted(TestNode.start(database, Files.createTempDirectory("deadline-late"), keys));
    nodes.add(late);
    // every node's maintenance operations run one at a time: a Start through each node runs after any
    // deadline handling that node had queued
    for (TestNode node : nodes) {
      new Maintenance(node.api(), host).start("phase=Draining&reason=after").await();
    }
    assertEquals(1, killSweeps.get(), "one kill sweep for the window in the whole cluster");
    assertEquals(1, deadlineKills(maintenance.get(null).await()));
    maintenance.end().await();
  }
}
