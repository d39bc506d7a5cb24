package org.orchestrator.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.orchestrator.app.Api;
import org.orchestrator.app.Maintenance;
import org.orchestrator.app.TestNode;
import org.orchestrator.app.Tenants;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * The benchmarks of docs/benchmarks.md. Each figure is measured next to its baseline in the same
 * process and reported as a ratio, alternating A/B rounds and taking medians, so that the machine's
 * speed and noise cancel out. Run with {@code scripts/bench.sh} (not part of the test suite).
 */
public final class Benchmarks {

  private Benchmarks() {
  }

  public static void main(String[] args) throws Exception {
    List<String> which = args.length == 0 ? List.of("gate", "gate-heartbeat", "body-guard", "drain", "ingest", "propagation", "schedules", "push") : List.of(args);
    System.out.println("| benchmark | measured | baseline | ratio | target |");
    System.out.println("|---|---|---|---|---|");
    if (which.contains("gate")) {
      gate();
    }
    if (which.contains("gate-heartbeat")) {
      gateHeartbeat();
    }
    if (which.contains("fence")) {
      fence();
    }
    if (which.contains("body-guard")) {
      bodyGuard();
    }
    if (which.contains("token-cache")) {
      tokenCache();
    }
    if (which.contains("token-check")) {
      tokenCheck();
    }
    if (which.contains("push")) {
      push();
    }
    if (which.contains("capacity")) {
      capacity();
    }
    if (which.contains("return")) {
      ReturnBenchmark.run();
    }
    if (which.contains("channels")) {
      ChannelMemoryBenchmark.run();
    }
    if (which.contains("queue-commit")) {
      QueueCommitBenchmark.run();
    }
    if (which.contains("heartbeat")) {
      HeartbeatBenchmark.run();
    }
    if (which.contains("log-group")) {
      org.orchestrator.jobs.LogGroupBenchmark.run();
    }
    if (which.contains("exemption-plans")) {
      org.orchestrator.jobs.ExemptionPlansBenchmark.run();
    }
    if (which.contains("quiet-plans")) {
      org.orchestrator.jobs.QuietPlansBenchmark.run();
    }
    if (which.contains("routing")) {
      RoutingBenchmark.run();
    }
    if (which.contains("vertx-metrics")) {
      VertxMetricsBenchmark.run();
    }
    if (which.contains("drain")) {
      drain();
    }
    if (which.contains("ingest")) {
      ingest();
    }
    if (which.contains("log-parse")) {
      logParse();
    }
    if (which.contains("propagation")) {
      propagation();
    }
    if (which.contains("schedules")) {
      schedules();
    }
    if (which.contains("durability")) {
      DurabilityBenchmark.run();
    }
    if (which.contains("retention")) {
      RetentionBenchmark.run();
    }
    System.exit(0);
  }

  /** Requests/s of GET /api/Jobs/{id} (JWT, validation, bus, PostgreSQL) with the gate vs. without. */
  static void gate() throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema("bench_gate");
    Path keys = Files.createTempDirectory("bench-keys");
    TestNode gated = TestNode.start(db, Files.createTempDirectory("gated"), java.time.Clock.systemUTC(), keys, true);
    TestNode open = TestNode.start(db, Files.createTempDirectory("open"), java.time.Clock.systemUTC(), keys, false);
    try {
      Api setup = gated.api();
      Tenants.Fixture tenant = Tenants.create(setup, setup.signInHostAdmin().await(), "bench", 0).await();
      long job = setup.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")).await()
          .bodyAsJsonObject().getLong("id");
      String path = "/api/Jobs/" + job;
      Api withGate = new Api(gated.vertx(), gated.port(), 64);
      Api without = new Api(open.vertx(), open.port(), 64);
      int requests = 20_000;
      // warm both up well: with the HTTP verticle on every event loop the JIT needs longer, and a
      // side measured while it still warms looks slower
      load(withGate, path, tenant.adminToken(), 20_000);
      load(without, path, tenant.adminToken(), 20_000);
      Turns<Double> turns = takingTurns(6, () -> load(withGate, path, tenant.adminToken(), requests),
          () -> load(without, path, tenant.adminToken(), requests));
      row("gate overhead: GET /api/Jobs/{id} req/s, gate vs. no gate", median(turns.a()), median(turns.b()), ">= 0.97",
          "%.0f req/s");
    } finally {
      open.close();
      gated.close();
    }
  }

  /**
   * Requests/s of the cheapest gated route, a robot's heartbeat with nothing to hand out (JWT, the
   * gate, one bus hop, one small transaction), with the gate vs. without: where the gate's own cost
   * is least hidden by the route's.
   */
  static void gateHeartbeat() throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema("bench_gate_hb");
    Path keys = Files.createTempDirectory("bench-keys");
    TestNode gated = TestNode.start(db, Files.createTempDirectory("gated"), java.time.Clock.systemUTC(), keys, true);
    TestNode open = TestNode.start(db, Files.createTempDirectory("open"), java.time.Clock.systemUTC(), keys, false);
    try {
      Api setup = gated.api();
      // 64 robots, the 64 requests in flight taking them in turn: a fleet, not one robot heartbeating
      // 64 times at once (whose presence row every request would queue on)
      Tenants.Fixture tenant = Tenants.create(setup, setup.signInHostAdmin().await(), "bench", 64).await();
      List<String> robots = tenant.robots().stream().map(Tenants.Robot::token).toList();
      AtomicInteger turn = new AtomicInteger();
      Api withGate = new Api(gated.vertx(), gated.port(), 64);
      Api without = new Api(open.vertx(), open.port(), 64);
      JsonObject empty = new JsonObject();
      Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> gatedHeartbeat = () -> withGate.post(
          "/api/robot/heartbeat", robots.get(Math.floorMod(turn.getAndIncrement(), robots.size())), empty);
      Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> openHeartbeat = () -> without.post(
          "/api/robot/heartbeat", robots.get(Math.floorMod(turn.getAndIncrement(), robots.size())), empty);
      int requests = 10_000;
      load(gatedHeartbeat, 10_000);
      load(openHeartbeat, 10_000);
      Turns<Double> turns = takingTurns(10, () -> load(gatedHeartbeat, requests), () -> load(openHeartbeat, requests));
      row("gate overhead on the cheapest gated route: POST /api/robot/heartbeat req/s, gate vs. no gate",
          median(turns.a()), median(turns.b()), ">= 0.97", "%.0f req/s");
    } finally {
      open.close();
      gated.close();
    }
  }

  /**
   * What the start fence (decision 80) costs a hand-out: transactions/s of the heartbeat's claim of a
   * Pending job (and its hand-back, so the next claim finds one), with the fence's check in the
   * claim as job control runs it vs. the same statement without it; 32 in flight, in alternating
   * rounds, on one schema with a real node's migrations.
   */
  static void fence() throws Exception {
    TestNode node = TestNode.start("bench_fence");
    Pool pool = Pools.create(node.vertx(), node.orchestrator().database(), 32);
    try {
      pool.query("INSERT INTO jobs (tenant_id, process_name) SELECT 1, 'bench' FROM generate_series(1, 2000)")
          .execute().await();
      String claim = """
          WITH next AS (
            SELECT id FROM jobs WHERE tenant_id = $1 AND state = 'Pending' AND start_delivered_at IS NULL
            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
          UPDATE jobs SET start_delivered_at = now() FROM next WHERE jobs.id = next.id %s RETURNING jobs.id""";
      String fenced = claim.formatted("AND maintenance_admits_start(jobs.tenant_id)");
      String bare = claim.formatted("");
      Supplier<Future<?>> withFence = () -> handOut(pool, fenced);
      Supplier<Future<?>> without = () -> handOut(pool, bare);
      int count = 5_000;
      rate(withFence, count, 32);
      rate(without, count, 32);
      Turns<Double> turns = takingTurns(8, () -> rate(withFence, count, 32), () -> rate(without, count, 32));
      row("start fence: hand-outs/s (claim + hand-back, 32 in flight), fence vs. no fence", median(turns.a()),
          median(turns.b()), ">= 0.9", "%.0f tx/s");
    } finally {
      pool.close().await();
      node.close();
    }
  }

  private static Future<?> handOut(Pool pool, String claim) {
    return pool.withTransaction(tx -> tx.preparedQuery(claim).execute(Tuple.of(1L)).compose(rows -> {
      if (rows.size() != 1) {
        return Future.failedFuture("nothing to claim");
      }
      return tx.preparedQuery("UPDATE jobs SET start_delivered_at = NULL WHERE id = $1")
          .execute(Tuple.of(rows.iterator().next().getLong(0)));
    }));
  }

  /** {@code count} operations of {@code operation}, {@code inFlight} at once; operations per second. */
  private static double rate(Supplier<Future<?>> operation, int count, int inFlight) {
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (sent.incrementAndGet() > count) {
        return;
      }
      operation.get().onComplete(result -> {
        if (result.failed()) {
          failed.incrementAndGet();
        }
        if (finished.incrementAndGet() == count) {
          done.tryComplete();
        } else {
          next[0].run();
        }
      });
    };
    for (int i = 0; i < inFlight; i++) {
      next[0].run();
    }
    done.future().await();
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " of " + count + " operations failed");
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * What deciding before the body is read costs the robots' hot routes (issue 30, item 4): a node
   * with the body guard (the bearer token checked with the request paused, the body's share of the
   * node's budget taken and given back) vs. one that reads bodies first, as before. Requests/s of a
   * heartbeat (body {@code {}}) and of a log upload (20 lines, about 2 KiB), 64 robots in turn, 64
   * requests in flight; both nodes on one schema and one signing key, so one token serves both.
   */
  static void bodyGuard() throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema("bench_body_guard");
    Path keys = Files.createTempDirectory("bench-keys");
    TestNode guarded = TestNode.start(db, Files.createTempDirectory("guarded"), java.time.Clock.systemUTC(), keys, true);
    TestNode reading = TestNode.startWithoutBodyGuard(db, Files.createTempDirectory("reading"), keys);
    try {
      Api setup = guarded.api();
      Tenants.Fixture tenant = Tenants.create(setup, setup.signInHostAdmin().await(), "bench", 64).await();
      List<String> robots = new ArrayList<>();
      List<Buffer> batches = new ArrayList<>();
      for (Tenants.Robot robot : tenant.robots()) {
        long job = robot.runJob(tenant.adminToken()).await();
        robots.add(robot.token());
        batches.add(batch(job, 20).toBuffer());
      }
      AtomicInteger turn = new AtomicInteger();
      Api withGuard = new Api(guarded.vertx(), guarded.port(), 64);
      Api without = new Api(reading.vertx(), reading.port(), 64);
      JsonObject empty = new JsonObject();
      Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> guardedHeartbeat = () -> withGuard.post(
          "/api/robot/heartbeat", robots.get(Math.floorMod(turn.getAndIncrement(), robots.size())), empty);
      Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> readingHeartbeat = () -> without.post(
          "/api/robot/heartbeat", robots.get(Math.floorMod(turn.getAndIncrement(), robots.size())), empty);
      Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> guardedLogs = () -> {
        int r = Math.floorMod(turn.getAndIncrement(), robots.size());
        return withGuard.postRaw("/api/robot/logs", robots.get(r), "application/json", batches.get(r));
      };
      Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> readingLogs = () -> {
        int r = Math.floorMod(turn.getAndIncrement(), robots.size());
        return without.postRaw("/api/robot/logs", robots.get(r), "application/json", batches.get(r));
      };
      abRow("body guard on the cheapest body route: POST /api/robot/heartbeat ({}) req/s, guard vs. reading first",
          guardedHeartbeat, readingHeartbeat, 10_000);
      abRow("body guard on log uploads: POST /api/robot/logs (20 lines, ~2 KiB) req/s, guard vs. reading first",
          guardedLogs, readingLogs, 2_000);
    } finally {
      reading.close();
      guarded.close();
    }
  }

  /** Warms both sides, then 10 rounds taking turns going first; one row of the medians. */
  private static void abRow(String name, Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> a,
      Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> b, int requests) {
    for (int round = 0; round < 3; round++) {
      load(a, requests);
      load(b, requests);
    }
    Turns<Double> turns = takingTurns(10, () -> load(a, requests), () -> load(b, requests));
    System.err.printf("%s rounds: %s vs. %s%n", name, turns.a(), turns.b());
    row(name, median(turns.a()), median(turns.b()), ">= 0.97", "%.0f req/s");
  }

  /** Heartbeats/s with the cache of verified tokens vs. an ES256 verification on every request. */
  static void tokenCache() throws Exception {
    TestNode cached = TestNode.start("bench_cached", new JsonObject());
    TestNode verifying = TestNode.start("bench_verifying", new JsonObject()
        .put("security", new JsonObject().put("verifiedTokenCache", 0)));
    try {
      String a = robotToken(cached);
      String b = robotToken(verifying);
      Api withCache = new Api(cached.vertx(), cached.port(), 64);
      Api without = new Api(verifying.vertx(), verifying.port(), 64);
      JsonObject empty = new JsonObject();
      load(() -> withCache.post("/api/robot/heartbeat", a, empty), 1_000);
      load(() -> without.post("/api/robot/heartbeat", b, empty), 1_000);
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        x.add(load(() -> withCache.post("/api/robot/heartbeat", a, empty), 4_000));
        y.add(load(() -> without.post("/api/robot/heartbeat", b, empty), 4_000));
      }
      row("lever: verified-token cache, POST /api/robot/heartbeat req/s, cache vs. verifying every request",
          median(x), median(y), "> 1", "%.0f req/s");
    } finally {
      verifying.close();
      cached.close();
    }
  }

  /**
   * What a request pays to authenticate a token the cache holds: the shipped chain (the cache, the
   * canonical check behind it on a miss only) vs. the chain before issue 35 (the canonical check in
   * front of the cache too, on every request), in this process, alternating rounds, 200,000 calls each.
   */
  static void tokenCheck() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      Path keys = Files.createTempDirectory("bench-token-check");
      org.orchestrator.platform.config.OrchestratorConfig.Security security =
          new org.orchestrator.platform.config.OrchestratorConfig.Security("bench", 3600, 1_000, null, keys, 10_000);
      io.vertx.ext.auth.jwt.JWTAuth shipped = org.orchestrator.platform.security.TokenAuth.provider(vertx,
          org.orchestrator.platform.security.SigningKeys.loadOrCreate(keys), security);
      io.vertx.ext.auth.jwt.JWTAuth before = new org.orchestrator.platform.security.CanonicalTokens(shipped);
      String token = shipped.generateToken(new JsonObject().put("sub", "1"),
          org.orchestrator.platform.security.TokenAuth.signing(security, 3600));
      io.vertx.ext.auth.authentication.TokenCredentials credentials =
          new io.vertx.ext.auth.authentication.TokenCredentials(token);
      shipped.authenticate(credentials).await();
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int round = 0; round < 11; round++) {
        double a = nanosPerAuthentication(shipped, credentials, 200_000);
        double b = nanosPerAuthentication(before, credentials, 200_000);
        if (round > 0) { // the first is the JIT's
          x.add(a);
          y.add(b);
        }
      }
      row("lever: no canonical check in front of the verified-token cache, ns per cached authentication, "
          + "shipped vs. checked on every request", median(x), median(y), "< 1", "%.0f ns");
    } finally {
      vertx.close().await();
    }
  }

  private static double nanosPerAuthentication(io.vertx.ext.auth.jwt.JWTAuth provider,
      io.vertx.ext.auth.authentication.TokenCredentials credentials, int calls) {
    long start = System.nanoTime();
    int served = 0;
    for (int i = 0; i < calls; i++) {
      if (provider.authenticate(credentials).succeeded()) {
        served++;
      }
    }
    double nanos = (System.nanoTime() - start) / (double) calls;
    if (served != calls) {
      throw new IllegalStateException("only " + served + " of " + calls + " served from the cache");
    }
    return nanos;
  }

  private static String robotToken(TestNode node) {
    Api api = node.api();
    return Tenants.create(api, api.signInHostAdmin().await(), "bench", 1).await().robots().get(0).token();
  }

  /**
   * How soon 1,000 robots, each with a running job, hold their StopJob after
   * {@code Start?phase=Draining} returns: on the push channel vs. heartbeats only (every 10 s),
   * same node, same fleet size, one after the other in this process.
   */
  static void push() throws Exception {
    int robots = 1_000;
    java.time.Duration heartbeat = java.time.Duration.ofSeconds(10);
    double[] pushed = stopDelays(robots, heartbeat, true);
    double[] polled = stopDelays(robots, heartbeat, false);
    System.out.printf("| StopJob reaches %,d robots, from Start Draining sent (heartbeat every %d s): push channel "
            + "vs. heartbeat only | p50 %.0f ms, p99 %.0f ms, max %.0f ms | p50 %.0f ms, p99 %.0f ms, max %.0f ms "
            + "| p99 %.4fx | p99 < 1 s |%n", robots, heartbeat.toSeconds(), pushed[0], pushed[1], pushed[2], polled[0],
        polled[1], polled[2], pushed[1] / polled[1]);
  }

  /**
   * {p50, p99, max} ms from Start Draining being sent until each robot heard its StopJob (pushed
   * Stops arrive before Start's answer, which waits for the audit; its own time is printed).
   */
  private static double[] stopDelays(int robots, java.time.Duration heartbeat, boolean push) throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema(push ? "bench_push" : "bench_poll");
    // the whole fleet comes from this machine's one address: its share of the connections is all of them
    TestNode node = TestNode.start(db, Files.createTempDirectory("push"), new JsonObject().put("http",
        new JsonObject().put("maxConnectionsPerAddress", 4_096)));
    Pool pool = Pools.create(node.vertx(), db, 2);
    io.vertx.core.Vertx fleetVertx = io.vertx.core.Vertx.vertx();
    try {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "fleet", robots).await();
      // each robot runs one job (written straight to the table: the robots learn of it by its Stop)
      Long[] ids = tenant.robots().stream().map(Tenants.Robot::id).toArray(Long[]::new);
      pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id, state, start_delivered_at, started_at) "
              + "SELECT $1, 'bench', r, 'Running', now(), now() FROM unnest($2::bigint[]) r")
          .execute(Tuple.tuple().addLong(tenant.id()).addArrayOfLong(ids)).await();
      org.orchestrator.simulator.RobotFleet fleet = org.orchestrator.simulator.RobotFleet.deploy(fleetVertx,
          java.net.URI.create("http://127.0.0.1:" + node.port()), tenant.robots().stream()
              .map(Tenants.Robot::credentials).toList(),
          org.orchestrator.simulator.RobotSettings.defaults().withHeartbeat(heartbeat).withPush(push)
              .withStopGrace(java.time.Duration.ofMinutes(5))).await();
      if (push) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (node.registry().get("orchestrator.robot.channels.open").gauge().value() < robots) {
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("the robots did not all open their channels");
          }
          Thread.sleep(50);
        }
      }
      long asked = System.nanoTime();
      new Maintenance(api, host).start("phase=Draining").await();
      long answered = System.nanoTime();
      System.out.printf("(Start Draining answered after %.0f ms)%n", (answered - asked) / 1e6);
      long deadline = System.currentTimeMillis() + heartbeat.toMillis() * 3 + 30_000;
      List<Double> delays = new ArrayList<>();
      while (delays.size() < robots) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException(delays.size() + " of " + robots + " robots heard their StopJob");
        }
        Thread.sleep(20);
        delays.clear();
        fleet.robots().forEach(robot -> {
          long at = robot.stats().firstStopNanos.get();
          if (at != 0) {
            delays.add((at - asked) / 1e6);
          }
        });
      }
      Collections.sort(delays);
      fleet.close().await();
      return new double[] {delays.get(delays.size() / 2), delays.get((int) Math.ceil(delays.size() * 0.99) - 1),
          delays.get(delays.size() - 1)};
    } finally {
      fleetVertx.close().await();
      pool.close().await();
      node.close();
    }
  }

  /**
   * How many robots sending UiPath's profile (one message a second each) one node serves on this
   * machine (server, PostgreSQL and load generator on the same cores): robots ramped in steps, each
   * step through a whole window (steady state, Draining, Suspended, End, steady again). A step
   * passes with p99 < 250 ms in steady state and while Draining, no unexpected answer, and nothing
   * lost (every log line and queue item acknowledged is stored, every item taken finished once).
   * {@code -Dcapacity.steps=250,500,...}, {@code -Dcapacity.stepSeconds=20}.
   */
  static void capacity() throws Exception {
    int[] steps = java.util.Arrays.stream(System.getProperty("capacity.steps",
        "250,500,1000,1500,2000,2500,3000,3500,4000,4500,5000")
        .split(",")).mapToInt(Integer::parseInt).toArray();
    int stepSeconds = Integer.getInteger("capacity.stepSeconds", 20);
    int cores = Runtime.getRuntime().availableProcessors();
    DatabaseEndpoint db = TestDatabase.newSchema("bench_capacity");
    // -Dcapacity.poolSize: the node's database.poolSize (default: the configuration's, 8);
    // -Dcapacity.maxConnections: its http.maxConnections (the configuration's default is 4,096; a
    // robot holds one connection, so here twice the largest step: the ramp measures the node, not
    // that setting; the process's open-file limit must allow it, two descriptors a robot in one JVM)
    JsonObject config = new JsonObject();
    Integer poolSize = Integer.getInteger("capacity.poolSize");
    if (poolSize != null) {
      config.put("database", new JsonObject().put("poolSize", poolSize));
    }
    int maxConnections = Integer.getInteger("capacity.maxConnections",
        Math.max(4_096, 2 * java.util.Arrays.stream(steps).max().orElse(0)));
    // every robot comes from this machine's one address: its share of the connections is all of them
    config.put("http", new JsonObject().put("maxConnections", maxConnections)
        .put("maxConnectionsPerAddress", maxConnections));
    // the return after End as in production (the test configuration tells robots to retry after 1 s,
    // all at once): config/orchestrator.yaml's robotRetryAfterSeconds, return spread and start pace
    config.mergeIn(returnSettings(System.getProperty("capacity.return", "calm")), true);
    TestNode node = TestNode.start(db, Files.createTempDirectory("capacity"), config);
    Pool pool = Pools.create(node.vertx(), db, 2);
    io.vertx.core.Vertx robots = io.vertx.core.Vertx.vertx();
    int largest = 0;
    System.out.println("| robots | requests/s | p50 ms | p99 ms steady | p99 ms Draining | p99 ms return "
        + "| return s (End to every job Running) | p99 ms after the return | unexpected | lost | pass |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    try {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Maintenance maintenance = new Maintenance(api, host);
      for (int n : steps) {
        Tenants.Fixture tenant = Tenants.create(api, host, "capacity-" + n, n).await();
        Api.expect(api.post("/api/Assets", tenant.adminToken(), new JsonObject().put("name", "endpoint")
            .put("type", "Text").put("value", "https://erp.example")).await(), 201).await();
        giveEachAJob(pool, tenant);
        org.orchestrator.simulator.ProfiledRobot.ProfileStats stats =
            new org.orchestrator.simulator.ProfiledRobot.ProfileStats();
        List<String> deployed = new ArrayList<>();
        java.net.URI server = java.net.URI.create("http://127.0.0.1:" + node.port());
        for (Tenants.Robot robot : tenant.robots()) {
          deployed.add(robots.deployVerticle(new org.orchestrator.simulator.ProfiledRobot(server,
              Long.toString(robot.id()), robot.secret(), "endpoint", "work", stats, robot.id())).await());
        }
        Thread.sleep(5_000);
        stats.drainMillis();
        long before = requests(stats);
        PhaseReading steadyFrom = new PhaseReading(stats);
        Thread.sleep(stepSeconds * 1_000L);
        double[] steady = stats.drainMillis();
        PhaseReading drainingFrom = new PhaseReading(stats);
        Map<String, Map<org.orchestrator.simulator.ProfiledRobot.Kind, Double>> byKind = new java.util.LinkedHashMap<>();
        byKind.put("steady", stats.p99ByKind());
        double perSecond = (requests(stats) - before) / (double) stepSeconds;
        stats.slowTimeline(0, 1_000); // forgets steady state's slow answers: the next reading is Draining's
        long drainingSent = System.nanoTime();
        maintenance.start("phase=Draining").await();
        long drainingAnswered = System.nanoTime();
        Thread.sleep(10_000);
        double[] draining = stats.drainMillis();
        PhaseReading drainingTo = new PhaseReading(stats);
        // when the slow answers of Draining came (a stall, or a queue): from Start sent, in 250 ms
        System.err.printf("  Draining at %,d robots: Start answered after %.0f ms; slow answers by when they came:%n%s",
            n, (drainingAnswered - drainingSent) / 1e6, stats.slowTimeline(drainingSent, 250));
        byKind.put("Draining", stats.p99ByKind());
        stats.refusalsExpected = true;
        maintenance.start("phase=Suspended&force=true").await();
        Thread.sleep(5_000);
        giveEachAJob(pool, tenant); // the window stopped their jobs: new ones, handed out after End
        stats.drainMillis();
        long ended = System.nanoTime();
        maintenance.end().await();
        // the return: from End until every robot runs its new job (robots come back over their
        // Retry-After; a robot still refused is not an unexpected answer until it is back)
        PhaseReading returnFrom = new PhaseReading(stats);
        double returnSeconds = untilRunning(pool, tenant, n, ended, 120);
        double[] returning = stats.drainMillis();
        PhaseReading afterFrom = new PhaseReading(stats);
        byKind.put("return", stats.p99ByKind());
        stats.refusalsExpected = false;
        Thread.sleep(10_000);
        double[] after = stats.drainMillis();
        PhaseReading afterTo = new PhaseReading(stats);
        System.err.printf("  what each phase asked at %,d robots:%n    steady   %s%n    Draining %s%n    return   %s%n"
            + "    after    %s%n", n, steadyFrom.until(drainingFrom), drainingFrom.until(drainingTo),
            returnFrom.until(afterFrom), afterFrom.until(afterTo));
        byKind.put("after", stats.p99ByKind());
        long unexpected = stats.unexpected.get() + stats.networkFailures.get(); // before stopping the robots
        for (String id : deployed) {
          robots.undeploy(id).await();
        }
        Thread.sleep(2_000); // answers in flight when the robots stopped
        long storedLines = count(pool, "SELECT count(*) FROM robot_logs WHERE tenant_id = $1", tenant.id());
        long storedItems = count(pool, "SELECT count(*) FROM queue_items WHERE tenant_id = $1", tenant.id());
        long finished = count(pool, "SELECT count(*) FROM queue_items WHERE tenant_id = $1 AND status = 'Successful'",
            tenant.id());
        // lost: acknowledged but not stored (a request stored but unanswered when the robots stopped is
        // not lost: its robot would resend it under the same id; duplicates are impossible by key)
        long lost = Math.max(0, stats.logLinesAcknowledged.get() - storedLines)
            + Math.max(0, stats.queueItemsAdded.get() - storedItems)
            + Math.max(0, stats.queueItemsFinished.get() - finished);
        stats.unexpectedSamples.forEach(sample -> System.out.println("  unexpected: " + sample));
        boolean pass = p(steady, 0.99) < 250 && p(draining, 0.99) < 250 && p(returning, 0.99) < 250
            && p(after, 0.99) < 250 && unexpected == 0 && lost == 0 && !Double.isNaN(returnSeconds);
        System.out.printf("| %,d | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d | %s |%n", n, perSecond,
            p(steady, 0.5), p(steady, 0.99), p(draining, 0.99), p(returning, 0.99), returnSeconds, p(after, 0.99),
            unexpected, lost, pass ? "yes" : "no");
        // which kind of message sets each phase's p99 (a heartbeat's figure includes the job reports it led to)
        System.err.printf("  p99 ms by kind of message at %,d robots: %s%n", n, byKind);
        if (!pass) {
          break;
        }
        largest = n;
      }
    } finally {
      robots.close().await();
      pool.close().await();
      node.close();
    }
    System.out.printf("%nlargest fleet served: %,d robots on %d cores (server, PostgreSQL and the load generator "
        + "together) = %.0f robots per core; UiPath sizes 62.5 robots per web-server core (4 cores for < 250 "
        + "robots, SQL Server on its own 4-8 cores): %.1fx%n", largest, cores, largest / (double) cores,
        largest / (double) cores / 62.5);
  }

  /**
   * The node's return settings: {@code calm} is config/orchestrator.yaml's (robots retry after 5 s
   * plus a share of 10 s, 200 new jobs a second); {@code burst} is the return without the levers
   * (robots retry after 1 s, no spread, no pace), the baseline of the {@code return} benchmark.
   */
  static JsonObject returnSettings(String kind) {
    boolean calm = switch (kind) {
      case "calm" -> true;
      case "burst" -> false;
      default -> throw new IllegalArgumentException("capacity.return is calm or burst, not " + kind);
    };
    return new JsonObject()
        .put("maintenance", new JsonObject().put("robotRetryAfterSeconds", calm ? 5 : 1)
            .put("robotReturnSpreadSeconds", calm ? 10 : 0))
        .put("jobs", new JsonObject().put("startsPerSecond", calm ? 200 : 0));
  }

  /**
   * Seconds from {@code since} until {@code n} jobs of the tenant are Running (polled every 100 ms);
   * NaN if not within {@code timeoutSeconds}.
   */
  static double untilRunning(Pool pool, Tenants.Fixture tenant, int n, long since, int timeoutSeconds)
      throws InterruptedException {
    long deadline = since + timeoutSeconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (count(pool, "SELECT count(*) FROM jobs WHERE tenant_id = $1 AND state = 'Running'", tenant.id()) >= n) {
        return (System.nanoTime() - since) / 1e9;
      }
      Thread.sleep(100);
    }
    return Double.NaN;
  }

  /** A Pending job naming each robot of the tenant (straight into the table: one statement). */
  static void giveEachAJob(Pool pool, Tenants.Fixture tenant) {
    Long[] ids = tenant.robots().stream().map(Tenants.Robot::id).toArray(Long[]::new);
    pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id) SELECT $1, 'profiled', r "
        + "FROM unnest($2::bigint[]) r").execute(Tuple.tuple().addLong(tenant.id()).addArrayOfLong(ids)).await();
  }

  static long requests(org.orchestrator.simulator.ProfiledRobot.ProfileStats stats) {
    long total = 0;
    for (org.orchestrator.simulator.ProfiledRobot.Kind kind : org.orchestrator.simulator.ProfiledRobot.Kind.values()) {
      total += stats.count(kind);
    }
    return total;
  }

  private static long count(Pool pool, String sql, long tenantId) {
    return pool.preparedQuery(sql).execute(Tuple.of(tenantId)).await().iterator().next().getLong(0);
  }

  static double p(double[] sorted, double quantile) {
    return org.orchestrator.simulator.ProfiledRobot.ProfileStats.percentile(sorted, quantile);
  }

  /** {@code count} requests, 64 in flight; requests per second. */
  static double load(Api api, String path, String token, int count) {
    return load(() -> api.get(path, token), count);
  }

  /** {@code count} requests made by {@code request}, 64 in flight; requests per second (any answer but 200 fails). */
  static double load(Supplier<Future<io.vertx.ext.web.client.HttpResponse<Buffer>>> request, int count) {
    return rate(() -> request.get().compose(response -> response.statusCode() == 200 ? Future.succeededFuture()
        : Future.failedFuture("HTTP " + response.statusCode())), count, 64);
  }

  /** Start Draining over 100,000 running jobs of 1,000 tenants vs. one bare UPDATE of the same rows. */
  static void drain() throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema("bench_drain");
    TestNode node = TestNode.start(db, Files.createTempDirectory("drain"));
    Pool pool = Pools.create(node.vertx(), db, 2);
    try {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Maintenance maintenance = new Maintenance(api, host);
      pool.query("INSERT INTO jobs (tenant_id, process_name, robot_id, state, started_at) "
          + "SELECT 1 + (g % 1000), 'bench', 1000000 + g, 'Running', now() FROM generate_series(1, 100000) g").execute()
          .await();
      pool.query("ANALYZE jobs").execute().await();
      // the reset can meet the node's tick repeating the Stop sweep of a window that has just ended
      // (it began while Draining): PostgreSQL then picks one of the two to fail (deadlock, 40P01); the
      // bench's own statement is the one to try again
      Supplier<Future<?>> reset = () -> org.orchestrator.platform.database.SqlStates.retryOnDeadlock(() -> pool.query(
          "UPDATE jobs SET state = 'Running', stop_requested_at = NULL, stop_window_id = NULL WHERE process_name = 'bench'")
          .execute(), 5);
      List<Double> api100k = new ArrayList<>();
      List<Double> bare = new ArrayList<>();
      long heap = 0;
      for (int round = 0; round < 3; round++) {
        reset.get().await();
        long t0 = System.nanoTime();
        maintenance.start("phase=Draining").await();
        api100k.add((System.nanoTime() - t0) / 1e6);
        Integer stopping = pool.query("SELECT count(*) FROM jobs WHERE state = 'Stopping'").execute().await()
            .iterator().next().getInteger(0);
        if (stopping != 100_000) {
          throw new IllegalStateException("the drain stopped " + stopping + " jobs, not 100000");
        }
        System.gc();
        heap = Math.max(heap, Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        maintenance.end().await();
        reset.get().await();
        long t1 = System.nanoTime();
        pool.preparedQuery("UPDATE jobs SET state = 'Stopping', updated_at = now(), "
                + "stop_requested_at = coalesce(stop_requested_at, now()), stop_window_id = $1 "
                + "WHERE state = 'Running' OR (state = 'Pending' AND start_delivered_at IS NOT NULL)")
            .execute(Tuple.of(0L)).await();
        bare.add((System.nanoTime() - t1) / 1e6);
      }
      double ratio = median(api100k) / median(bare);
      System.out.printf("| drain sweep: Start Draining (HTTP, 204) over 100,000 running jobs / 1,000 tenants vs. bare "
          + "UPDATE | %.0f ms | %.0f ms | %.2fx | <= 2x |%n", median(api100k), median(bare), ratio);
      System.out.printf("| heap after the 100,000-job drain (after GC) | %.0f MiB | | | |%n", heap / 1048576.0);
    } finally {
      pool.close().await();
      node.close();
    }
  }

  /** Log lines/s through POST /api/robot/logs during Draining vs. the same batched INSERT straight to PostgreSQL. */
  static void ingest() throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema("bench_ingest");
    TestNode node = TestNode.start(db, Files.createTempDirectory("ingest"));
    Pool pool = Pools.create(node.vertx(), db, 8);
    try {
      Api api = new Api(node.vertx(), node.port(), 16);
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "ingest", 8).await();
      List<Long> jobs = new ArrayList<>();
      for (Tenants.Robot robot : tenant.robots()) {
        long id = api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")
            .put("robotId", robot.id())).await().bodyAsJsonObject().getLong("id");
        robot.heartbeat().await();
        robot.report(id, "Running").await();
        jobs.add(id);
      }
      new Maintenance(api, host).start("phase=Draining").await();
      int batches = 50;
      int lines = 500;
      // warm-up rounds of each (the JIT: the route's rate still rose over the first five rounds of
      // a run), then 10 rounds, the sides taking turns going first
      for (int round = 0; round < 4; round++) {
        ingestApi(tenant, jobs, batches, lines);
        ingestBare(pool, tenant.id(), tenant.robots(), jobs, batches, lines);
      }
      Turns<Double> turns = takingTurns(10, () -> ingestApi(tenant, jobs, batches, lines),
          () -> ingestBare(pool, tenant.id(), tenant.robots(), jobs, batches, lines));
      System.err.printf("ingest rounds, lines/s: api %s; bare %s%n", turns.a(), turns.b());
      row("robot log ingest during Draining: lines/s via POST /api/robot/logs vs. bare batched INSERT",
          median(turns.a()), median(turns.b()), ">= 0.75", "%.0f lines/s");
      new Maintenance(api, host).end().await();
    } finally {
      pool.close().await();
      node.close();
    }
  }

  static double ingestApi(Tenants.Fixture tenant, List<Long> jobs, int batches, int lines) {
    // payloads are prepared before the clock starts, on both sides: what is timed is the server
    List<Buffer> payloads = new ArrayList<>();
    for (long job : jobs) {
      payloads.add(batch(job, lines).toBuffer());
    }
    long start = System.nanoTime();
    List<Future<?>> all = new ArrayList<>();
    for (int r = 0; r < tenant.robots().size(); r++) {
      Tenants.Robot robot = tenant.robots().get(r);
      Buffer payload = payloads.get(r);
      Future<?> chain = Future.succeededFuture();
      for (int b = 0; b < batches; b++) {
        chain = chain.compose(ok -> robot.api().request(io.vertx.core.http.HttpMethod.POST, "/api/robot/logs",
            robot.token()).putHeader("Content-Type", "application/json").sendBuffer(payload).map(response -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("log upload: " + response.statusCode() + " " + response.bodyAsString());
          }
          return null;
        }));
      }
      all.add(chain);
    }
    Future.all(all).await();
    return tenant.robots().size() * (double) batches * lines / ((System.nanoTime() - start) / 1e9);
  }

  private static double ingestBare(Pool pool, long tenantId, List<Tenants.Robot> robots, List<Long> jobs, int batches,
      int lines) {
    List<Tuple> prepared = new ArrayList<>();
    for (int r = 0; r < robots.size(); r++) {
      Long[] jobIds = new Long[lines];
      String[] levels = new String[lines];
      String[] messages = new String[lines];
      OffsetDateTime[] stamps = new OffsetDateTime[lines];
      for (int i = 0; i < lines; i++) {
        jobIds[i] = jobs.get(r);
        levels[i] = "Info";
        messages[i] = "step " + i + " of a simulated process, with a message of typical length";
        stamps[i] = OffsetDateTime.now(ZoneOffset.UTC);
      }
      prepared.add(Tuple.tuple().addLong(tenantId).addLong(robots.get(r).id()).addArrayOfLong(jobIds)
          .addArrayOfString(levels).addArrayOfString(messages).addArrayOfOffsetDateTime(stamps));
    }
    long start = System.nanoTime();
    List<Future<?>> all = new ArrayList<>();
    for (int r = 0; r < robots.size(); r++) {
      Tuple tuple = prepared.get(r);
      Future<?> chain = Future.succeededFuture();
      for (int b = 0; b < batches; b++) {
        chain = chain.compose(ok -> {
          return pool.preparedQuery("INSERT INTO robot_logs (tenant_id, robot_id, job_id, level, message, time_stamp) "
                  + "SELECT $1, $2, job_id, level, message, time_stamp FROM unnest($3::bigint[], $4::text[], "
                  + "$5::text[], $6::timestamptz[]) AS l(job_id, level, message, time_stamp)")
              .execute(tuple);
        });
      }
      all.add(chain);
    }
    Future.all(all).await();
    return robots.size() * (double) batches * lines / ((System.nanoTime() - start) / 1e9);
  }

  private static JsonArray batch(long job, int lines) {
    JsonArray batch = new JsonArray();
    String now = Instant.now().toString();
    for (int i = 0; i < lines; i++) {
      batch.add(new JsonObject().put("jobId", job).put("level", "Info")
          .put("message", "step " + i + " of a simulated process, with a message of typical length").put("timeStamp", now));
    }
    return batch;
  }

  /**
   * CPU of reading one 500-line upload: the route's checked reading ({@code LogBatch}, token by
   * token into lines) vs. Vert.x decoding the same bytes into a JsonArray of JsonObjects (the tree
   * the route used to build before checking it, without the checks). In-process, no I/O; rounds
   * alternate, medians of 7.
   */
  static void logParse() {
    Buffer body = batch(12_345, 500).toBuffer();
    List<Double> checked = new ArrayList<>();
    List<Double> tree = new ArrayList<>();
    int per = 4_000;
    for (int round = 0; round < 8; round++) {
      long start = System.nanoTime();
      long lines = 0;
      for (int i = 0; i < per; i++) {
        lines += org.orchestrator.http.operations.LogBatch.parse(body).lines().size();
      }
      long middle = System.nanoTime();
      for (int i = 0; i < per; i++) {
        lines += ((JsonArray) io.vertx.core.json.Json.decodeValue(body)).size();
      }
      long end = System.nanoTime();
      if (round > 0 && lines == 2L * per * 500) { // round 0 warms up
        checked.add(per * 500 / ((middle - start) / 1e9));
        tree.add(per * 500 / ((end - middle) / 1e9));
      }
    }
    row("reading a 500-line log upload: lines/s checked into lines (LogBatch) vs. Vert.x's JSON tree alone",
        median(checked), median(tree), "> 1", "%.0f lines/s");
  }

  /** Milliseconds from the change stored by node A to node B's gate snapshot (phase.changed on B). */
  static void propagation() throws Exception {
    DatabaseEndpoint db = TestDatabase.newSchema("bench_prop");
    Path keys = Files.createTempDirectory("prop-keys");
    TestNode a = TestNode.start(db, Files.createTempDirectory("a"), keys);
    TestNode b = TestNode.start(db, Files.createTempDirectory("b"), keys);
    try {
      Map<Long, Long> publishedOnA = new ConcurrentHashMap<>();
      Map<Long, Long> seenOnB = new ConcurrentHashMap<>();
      Addresses.PHASE_CHANGED.subscribe(a.vertx().eventBus(), s -> publishedOnA.putIfAbsent(s.version(), System.nanoTime()));
      Addresses.PHASE_CHANGED.subscribe(b.vertx().eventBus(), s -> seenOnB.putIfAbsent(s.version(), System.nanoTime()));
      Maintenance maintenance = new Maintenance(a.api(), a.api().signInHostAdmin().await());
      for (int i = 0; i < 100; i++) {
        maintenance.start("phase=Draining").await();
        maintenance.end().await();
      }
      Thread.sleep(500);
      List<Double> delays = new ArrayList<>();
      publishedOnA.forEach((version, sent) -> {
        Long seen = seenOnB.get(version);
        if (seen != null) {
          delays.add((seen - sent) / 1e6);
        }
      });
      Collections.sort(delays);
      double p50 = delays.get(delays.size() / 2);
      double p99 = delays.get((int) Math.ceil(delays.size() * 0.99) - 1);
      System.out.printf("| phase propagation node A -> node B (NOTIFY -> reload -> phase.changed), %d changes "
          + "(%d intermediate versions skipped: B loads the newest) | p50 %.2f ms, p99 %.2f ms | | | p99 < 100 ms |%n", delays.size(),
          publishedOnA.size() - delays.size(), p50, p99);
    } finally {
      b.close();
      a.close();
    }
  }

  /**
   * N schedules due in the same second (20 tenants, {@code 0 * * * * ?}) on one node with the
   * production tick: time from the due second until the last of their N jobs exists, and the p99 of
   * each fire's lateness, vs. the bare batched INSERT of N job rows (batches of 1,000, arrays
   * prepared before the clock starts).
   */
  static void schedules() throws Exception {
    TestNode node = TestNode.start("bench_sched", new JsonObject().put("scheduler",
        new JsonObject().put("tickMillis", 1_000)));
    Pool pool = Pools.create(node.vertx(), node.orchestrator().database(), 4);
    try {
      for (int n : new int[] {2_000, 10_000}) {
        List<Double> last = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> bare = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          double[] measured = simultaneousFires(pool, n);
          last.add(measured[0]);
          p99.add(measured[1]);
          bare.add(bareJobInsert(pool, n));
        }
        System.out.printf("| %,d schedule fires due in the same second -> %,d jobs (one node, 20 tenants): due second to "
                + "last job created vs. bare batched INSERT of %,d job rows | %.0f ms (p99 lateness %.0f ms) | %.0f ms "
                + "| %.1fx | all within 1 s; <= 3x |%n", n, n, n, median(last), median(p99), median(bare),
            median(last) / median(bare));
      }
    } finally {
      pool.close().await();
      node.close();
    }
  }

  /**
   * {ms from the due second until a poll (every 5 ms) sees all N jobs, p99 ms of lateness per fire
   * (its job's created_at - planned time)}.
   */
  private static double[] simultaneousFires(Pool pool, int n) throws Exception {
    pool.query("DELETE FROM schedules").execute().await();
    pool.query("DELETE FROM schedule_fires").execute().await();
    pool.query("DELETE FROM jobs").execute().await();
    Instant due = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(2);
    OffsetDateTime dueAt = due.atOffset(ZoneOffset.UTC);
    pool.preparedQuery("INSERT INTO schedules (tenant_id, name, process_name, cron, time_zone, next_fire_at) "
        + "SELECT 1 + g % 20, 'bench-' || g, 'bench', '0 * * * * ?', 'UTC', $1 FROM generate_series(1, $2) g")
        .execute(Tuple.of(dueAt, n)).await();
    pool.query("ANALYZE schedules").execute().await();
    long created = 0;
    while (created < n) {
      Thread.sleep(5);
      created = pool.preparedQuery("SELECT count(*) FROM jobs WHERE planned_at = $1").execute(Tuple.of(dueAt))
          .await().iterator().next().getLong(0);
      if (Instant.now().isAfter(due.plusSeconds(60))) {
        throw new IllegalStateException("only " + created + " of " + n + " jobs after 60 s");
      }
    }
    double lastMs = java.time.Duration.between(due, Instant.now()).toNanos() / 1e6;
    long settled = 0;
    while (settled < n) { // the last batch's fires are settled just after its jobs exist
      Thread.sleep(5);
      settled = pool.preparedQuery("SELECT count(*) FROM schedule_fires WHERE planned_at = $1 AND outcome <> 'Pending'")
          .execute(Tuple.of(dueAt)).await().iterator().next().getLong(0);
    }
    // a job's created_at is the start of the INSERT that created it (its batch): lateness per fire
    var row = pool.preparedQuery("SELECT count(*) FILTER (WHERE f.outcome = 'Created'), count(DISTINCT j.id), "
            + "1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM j.created_at - f.planned_at)) "
            + "FROM schedule_fires f LEFT JOIN jobs j ON j.id = f.job_id WHERE f.planned_at = $1")
        .execute(Tuple.of(dueAt)).await().iterator().next();
    if (row.getLong(0) != n || row.getLong(1) != n) {
      throw new IllegalStateException(row.getLong(0) + " fires Created, " + row.getLong(1) + " jobs, for " + n);
    }
    return new double[] {lastMs, row.getDouble(2)};
  }

  private static double bareJobInsert(Pool pool, int n) {
    OffsetDateTime planned = OffsetDateTime.now(ZoneOffset.UTC).plusYears(1);
    List<Tuple> batches = new ArrayList<>();
    for (int from = 0; from < n; from += 1_000) {
      int size = Math.min(1_000, n - from);
      Long[] tenants = new Long[size];
      String[] processes = new String[size];
      Long[] robots = new Long[size];
      Long[] schedules = new Long[size];
      OffsetDateTime[] at = new OffsetDateTime[size];
      for (int i = 0; i < size; i++) {
        tenants[i] = 1L + (from + i) % 20;
        processes[i] = "bench";
        schedules[i] = -1L - from - i;
        at[i] = planned;
      }
      batches.add(Tuple.tuple().addArrayOfLong(tenants).addArrayOfString(processes).addArrayOfLong(robots)
          .addArrayOfLong(schedules).addArrayOfOffsetDateTime(at));
    }
    long start = System.nanoTime();
    for (Tuple batch : batches) {
      pool.preparedQuery("INSERT INTO jobs (tenant_id, process_name, robot_id, origin, schedule_id, planned_at) "
              + "SELECT t, p, r, 'Schedule', s, a FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], "
              + "$5::timestamptz[]) AS f(t, p, r, s, a) "
              + "ON CONFLICT (schedule_id, planned_at) WHERE schedule_id IS NOT NULL DO NOTHING RETURNING id")
          .execute(batch).await();
    }
    double ms = (System.nanoTime() - start) / 1e6;
    pool.query("DELETE FROM jobs WHERE schedule_id < 0").execute().await();
    return ms;
  }

  static void row(String name, double measured, double baseline, String target, String format) {
    System.out.printf("| %s | " + format + " | " + format + " | %.3f | %s |%n", name, measured, baseline,
        measured / baseline, target);
  }

  /** What each side measured, round by round. */
  public record Turns<T>(List<T> a, List<T> b) {
  }

  /**
   * {@code rounds} rounds of both sides, each side first in every other round, so that neither
   * always meets the warmer machine.
   */
  public static <T> Turns<T> takingTurns(int rounds, Supplier<T> a, Supplier<T> b) {
    List<T> as = new ArrayList<>();
    List<T> bs = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      if (round % 2 == 0) {
        as.add(a.get());
        bs.add(b.get());
      } else {
        bs.add(b.get());
        as.add(a.get());
      }
    }
    return new Turns<>(as, bs);
  }

  /** {@link #takingTurns} after one warm-up of each side; the medians, {@code a}'s first. */
  static double[] alternate(int rounds, Supplier<Double> a, Supplier<Double> b) {
    a.get();
    b.get();
    Turns<Double> turns = takingTurns(rounds, a, b);
    return new double[] {median(turns.a()), median(turns.b())};
  }

  public static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

}
