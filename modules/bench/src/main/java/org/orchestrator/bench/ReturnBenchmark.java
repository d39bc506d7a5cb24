package org.orchestrator.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.app.Api;
import org.orchestrator.app.Maintenance;
import org.orchestrator.app.TestNode;
import org.orchestrator.app.Tenants;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.simulator.ProfiledRobot;

/**
 * The return after End on its own (issue 35): the same fleet of profiled robots (UiPath's profile,
 * {@code -Dreturn.robots}, default 3,000) through Draining, Suspended and End, each robot given a
 * new job during Suspended, on a node with the return levers ({@code calm}: Retry-After 5 s plus a
 * share of 10 s, 200 new jobs a second) and on one without them ({@code burst}: Retry-After 1 s, no
 * spread, no pace), taking turns, two rounds each. Measured from End until every robot runs its new
 * job: p99 and p50 of every robot request answered meanwhile, and how long it took.
 */
final class ReturnBenchmark {

  private ReturnBenchmark() {
  }

  private record Result(double p50, double p99, double seconds, long unexpected) {
  }

  static void run() throws Exception {
    int robots = Integer.getInteger("return.robots", 3_000);
    List<Result> calm = new ArrayList<>();
    List<Result> burst = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      burst.add(side("burst", robots));
      calm.add(side("calm", robots));
    }
    for (int i = 0; i < calm.size(); i++) {
      Result c = calm.get(i);
      Result b = burst.get(i);
      System.out.printf("| return (round %d): %,d robots, End until every robot runs its new job, p99 of robot "
              + "requests meanwhile (calm: the levers; burst: Retry-After 1 s, no spread, no pace) | calm p99 %.1f ms, "
              + "p50 %.1f ms, %.1f s | burst p99 %.1f ms, p50 %.1f ms, %.1f s | p99 %.2f, return time %.2f | p99 < 250 ms "
              + "%s; unexpected %d / %d |%n", i + 1, robots, c.p99(), c.p50(), c.seconds(), b.p99(), b.p50(),
          b.seconds(), c.p99() / b.p99(), c.seconds() / b.seconds(), c.p99() < 250 ? "✔" : "✘", c.unexpected(),
          b.unexpected());
    }
  }

  private static Result side(String kind, int robots) throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema("bench_return_" + kind);
    JsonObject config = new JsonObject().put("http", new JsonObject().put("maxConnections", 4 * robots)
        .put("maxConnectionsPerAddress", 4 * robots));
    config.mergeIn(Benchmarks.returnSettings(kind), true);
    TestNode node = TestNode.start(db, Files.createTempDirectory("return"), config);
    Pool pool = Pools.create(node.vertx(), db, 2);
    Vertx fleet = Vertx.vertx();
    try {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Maintenance maintenance = new Maintenance(api, host);
      Tenants.Fixture tenant = Tenants.create(api, host, "return", robots).await();
      Api.expect(api.post("/api/Assets", tenant.adminToken(), new JsonObject().put("name", "endpoint")
          .put("type", "Text").put("value", "https://erp.example")).await(), 201).await();
      Benchmarks.giveEachAJob(pool, tenant);
      ProfiledRobot.ProfileStats stats = new ProfiledRobot.ProfileStats();
      URI server = URI.create("http://127.0.0.1:" + node.port());
      for (Tenants.Robot robot : tenant.robots()) {
        fleet.deployVerticle(new ProfiledRobot(server, Long.toString(robot.id()), robot.secret(), "endpoint", "work",
            stats, robot.id())).await();
      }
      // each side starts from a database at rest: the WAL of the side before written out (a
      // checkpoint running through a side's return tripled its p99 in a first version of this)
      pool.query("CHECKPOINT").execute().await();
      if (Double.isNaN(Benchmarks.untilRunning(pool, tenant, robots, System.nanoTime(), 120))) {
        throw new IllegalStateException(kind + ": the fleet did not start its first jobs within 120 s");
      }
      Thread.sleep(10_000);
      maintenance.start("phase=Draining").await();
      Thread.sleep(5_000);
      stats.refusalsExpected = true;
      maintenance.start("phase=Suspended&force=true").await();
      Thread.sleep(5_000);
      Benchmarks.giveEachAJob(pool, tenant);
      stats.drainMillis();
      long ended = System.nanoTime();
      maintenance.end().await();
      double seconds = Benchmarks.untilRunning(pool, tenant, robots, ended, 180);
      double[] returning = stats.drainMillis();
      stats.refusalsExpected = false;
      Thread.sleep(2_000);
      long unexpected = stats.unexpected.get() + stats.networkFailures.get();
      stats.unexpectedSamples.forEach(sample -> System.err.println("  unexpected (" + kind + "): " + sample));
      System.err.printf("%s: p99 %.1f ms, max %.1f ms over %d answers, %.1f s%n", kind, Benchmarks.p(returning, 0.99),
          returning.length == 0 ? Double.NaN : returning[returning.length - 1], returning.length, seconds);
      return new Result(Benchmarks.p(returning, 0.5), Benchmarks.p(returning, 0.99), seconds, unexpected);
    } finally {
      for (String robot : fleet.deploymentIDs()) {
        fleet.undeploy(robot).await(); // the robots stop before the node they talk to
      }
      pool.close().await();
      node.close();
      // the side's schema goes, so that autovacuum of its robots' rows does not run beside the next
      // (from the load generator's Vert.x: the node's is closed)
      Pool dropper = Pools.create(fleet, db, 1);
      dropper.query("DROP SCHEMA " + db.schema() + " CASCADE").execute().await();
      dropper.close().await();
      fleet.close().await();
    }
  }
}
