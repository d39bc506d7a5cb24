package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * {@code kill -9} at random points of a drain, 10 seeded runs: while robots report and upload logs
 * and the operator drains, kills and suspends, the server process dies after a random delay. After
 * each restart, every stop, kill and log line acknowledged before the crash is there, and the phase
 * is the last one acknowledged (or a later one of the same window, never an earlier one). Log
 * batches carry batch ids; those unanswered at the crash are resent after it, and the lines stored
 * equal the lines acknowledged exactly (none lost, none twice).
 */
@Timeout(600)
class RandomCrashTest {

  private static final long SEED = 20261124L;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void tenSeededCrashesLoseNothingAcknowledged() throws Exception {
    Random random = new Random(SEED);
    DatabaseEndpoint database = TestDatabase.newSchema("random_crash");
    Path dataDir = Files.createTempDirectory("random-crash");
    int port = ServerProcess.freePort();
    ServerProcess server = ServerProcess.start(dataDir, database, port);
    Api api = new Api(vertx, port);
    try {
      waitReady(api);
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "crashy", 4).await();
      long acknowledgedLogs = 0;
      List<Long> acknowledgedStops = new ArrayList<>();
      for (int run = 0; run < 10; run++) {
        host = api.signInHostAdmin().await();
        Maintenance maintenance = new Maintenance(api, host);
        if (!"None".equals(maintenance.get(null).await().getString("state"))) {
          maintenance.end().await();
        }
        // every robot runs a job
        List<Long> jobs = new ArrayList<>();
        for (Tenants.Robot robot : tenant.robots()) {
          String token = robotToken(api, robot);
          long job = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")
              .put("robotId", robot.id())).await(), 201).await().getLong("id");
          api.post("/api/robot/heartbeat", token, new JsonObject()).await();
          api.post("/api/robot/jobs/" + job + "/state", token, new JsonObject().put("state", "Running")).await();
          jobs.add(job);
        }
        // operations, then a crash after a random delay while they go on
        long crashAfterMs = 50 + random.nextInt(700);
        List<Future<?>> inFlight = new ArrayList<>();
        List<Long> acknowledgedThisRun = new ArrayList<>();
        long[] logsThisRun = {0};
        // each robot's batch, with the id a robot keeps across its retries; those not answered
        // before the crash are resent after the restart, as a robot would
        List<JsonObject> unanswered = new ArrayList<>();
        for (int i = 0; i < tenant.robots().size(); i++) {
          Tenants.Robot robot = tenant.robots().get(i);
          int index = i;
          JsonObject batch = new JsonObject().put("batchId", "run-" + run + "-robot-" + robot.id())
              .put("lines", lines(jobs.get(i), 100));
          String token = robotToken(api, robot);
          inFlight.add(api.post("/api/robot/logs", token, batch)
              .andThen(done -> {
                synchronized (logsThisRun) {
                  if (done.succeeded() && done.result().statusCode() == 200) {
                    logsThisRun[0] += done.result().bodyAsJsonObject().getInteger("stored");
                  } else {
                    unanswered.add(batch.copy().put("robot", index));
                  }
                }
              }));
        }
        Future<HttpResponse<Buffer>> drain = api.post("/api/Maintenance/Start?phase=Draining", host, new JsonObject());
        inFlight.add(drain.onSuccess(r -> {
          if (r.statusCode() == 204) {
            synchronized (acknowledgedThisRun) {
              acknowledgedThisRun.addAll(jobs);
            }
          }
        }));
        Thread.sleep(crashAfterMs);
        server.kill();
        Future.join(inFlight).otherwise((io.vertx.core.CompositeFuture) null).await();

        server = ServerProcess.start(dataDir, database, port);
        waitReady(api);
        acknowledgedLogs += logsThisRun[0];
        acknowledgedStops.addAll(acknowledgedThisRun);
        host = api.signInHostAdmin().await();
        JsonObject setting = new Maintenance(api, host).get(tenant.id()).await();
        if (!acknowledgedThisRun.isEmpty()) {
          assertEquals("Draining", setting.getString("state"), "run " + run + ": the acknowledged Draining survived");
          List<Long> stopped = setting.getJsonArray("stoppedJobs").stream().map(id -> ((Number) id).longValue()).toList();
          assertTrue(stopped.containsAll(acknowledgedThisRun), "run " + run + ": stops " + stopped);
        }
        if (!"None".equals(setting.getString("state"))) {
          new Maintenance(api, host).end().await(); // the human API (robot logs) is closed until End
        }
        for (JsonObject resend : unanswered) {
          Tenants.Robot robot = tenant.robots().get((Integer) resend.remove("robot"));
          acknowledgedLogs += Api.expect(api.post("/api/robot/logs", robotToken(api, robot), resend).await(), 200)
              .await().getInteger("stored");
        }
        long stored = api.count("/api/RobotLogs", tenant.adminToken()).await();
        assertEquals(acknowledgedLogs, stored, "run " + run + ": stored = acknowledged, no line twice");
        // finish the jobs so that the next run starts clean
        for (int i = 0; i < tenant.robots().size(); i++) {
          String token = robotToken(api, tenant.robots().get(i));
          api.post("/api/robot/jobs/" + jobs.get(i) + "/state", token, new JsonObject().put("state", "Stopped")).await();
        }
      }
      assertTrue(acknowledgedStops.size() > 0, "some drains were acknowledged before their crash");
    } finally {
      server.close();
    }
  }

  private static String robotToken(Api api, Tenants.Robot robot) {
    return api.robotToken(Long.toString(robot.id()), robot.secret()).await().bodyAsJsonObject()
        .getString("access_token");
  }

  private static JsonArray lines(long job, int count) {
    JsonArray lines = new JsonArray();
    for (int i = 0; i < count; i++) {
      lines.add(new JsonObject().put("jobId", job).put("level", "Info").put("message", "line " + i)
          .put("timeStamp", Instant.now().toString()));
    }
    return lines;
  }

  private static void waitReady(Api api) {
    ServerProcess.awaitReady(vertx, api);
  }
}
