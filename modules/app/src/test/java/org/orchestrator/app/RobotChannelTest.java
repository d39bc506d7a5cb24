package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * The robot push channel: commands arrive the moment they exist (a person's Stop, a maintenance
 * sweep), also when they are made on another node; the channel is for robots only, ends at
 * Suspended and is refused then.
 */
@Timeout(120)
class RobotChannelTest {

  /** One open channel: its events as "name data" lines, in order. */
  static final class Channel {
    final List<String> events = new CopyOnWriteArrayList<>();
    final StringBuilder buffer = new StringBuilder();
    volatile boolean ended;
    HttpClientResponse response;

    boolean has(String event, String text) {
      return events.stream().anyMatch(e -> e.startsWith(event + " ") && e.contains(text));
    }
  }

  /**
   * Opens the robot's event stream. On a Vert.x context, so that the handlers are set where the
   * response is delivered, in the same task: from the test's thread the callbacks ran as a later
   * task, and a short answer (401, 403, 503) could have ended by then, which Vert.x refuses a handler
   * on (seen once under stress-ng).
   */
  static Future<Channel> open(Vertx vertx, int port, String token) {
    io.vertx.core.Promise<Channel> opened = io.vertx.core.Promise.promise();
    vertx.runOnContext(onContext -> openOnContext(vertx, port, token).onComplete(opened));
    return opened.future();
  }

  private static Future<Channel> openOnContext(Vertx vertx, int port, String token) {
    HttpClient client = vertx.createHttpClient();
    Channel channel = new Channel();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/api/robot/events").putHeader("Accept", "text/event-stream");
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    return client.request(options).compose(request -> request.send()).map(response -> {
      channel.response = response;
      response.handler(chunk -> {
        synchronized (channel.buffer) {
          channel.buffer.append(chunk.toString());
          int end;
          while ((end = channel.buffer.indexOf("\n\n")) >= 0) {
            String block = channel.buffer.substring(0, end);
            channel.buffer.delete(0, end + 2);
            String name = null;
            String data = "";
            for (String line : block.split("\n")) {
              if (line.startsWith("event:")) {
                name = line.substring(6).trim();
              } else if (line.startsWith("data:")) {
                data += line.substring(5).trim();
              }
            }
            if (name != null) {
              channel.events.add(name + " " + data);
            }
          }
        }
      });
      response.endHandler(done -> channel.ended = true);
      return channel;
    });
  }

  private static <T> void until(Vertx vertx, java.util.function.Supplier<Boolean> condition, String what) {
    Eventually.until(vertx, () -> Future.succeededFuture(condition.get()), done -> done, 10_000)
        .otherwise(failure -> {
          throw new AssertionError(what);
        }).await();
  }

  @Test
  void commandsArriveWithoutAHeartbeatAndTheChannelEndsAtSuspended() throws Exception {
    try (TestNode node = TestNode.start("channel")) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "pushed", 2).await();
      Tenants.Robot robot = tenant.robots().get(0);
      long first = running(api, tenant, robot);
      long second = running(api, tenant, tenant.robots().get(1));

      Channel channel = open(node.vertx(), node.port(), robot.token()).await();
      assertEquals(200, channel.response.statusCode());
      until(node.vertx(), () -> channel.has("commands", "{\"commands\":[]}"), "the robot's commands on connect");

      // a person stops the job: the robot hears it now, not at its next heartbeat
      Api.expect(api.post("/api/Jobs/" + first + "/Stop", tenant.adminToken(), new JsonObject()).await(), 200).await();
      until(node.vertx(), () -> channel.has("commands", "\"StopJob\",\"jobId\":" + first), "StopJob pushed");
      Api.expect(robot.report(first, "Stopped").await(), 200).await();

      assertEquals(403, open(node.vertx(), node.port(), tenant.adminToken()).await().response.statusCode());
      assertEquals(401, open(node.vertx(), node.port(), null).await().response.statusCode());

      // the other robot's channel hears the drain
      Channel other = open(node.vertx(), node.port(), tenant.robots().get(1).token()).await();
      Maintenance maintenance = new Maintenance(api, host);
      maintenance.start("phase=Draining").await();
      until(node.vertx(), () -> other.has("commands", "\"StopJob\",\"jobId\":" + second), "the sweep's StopJob pushed");

      maintenance.start("phase=Suspended&force=true").await();
      until(node.vertx(), () -> other.ended && other.has("suspended", "Suspended"), "the channel ends at Suspended");
      assertEquals(503, open(node.vertx(), node.port(), robot.token()).await().response.statusCode());
      maintenance.end().await();
      Channel again = open(node.vertx(), node.port(), robot.token()).await();
      assertEquals(200, again.response.statusCode());

      // a second channel of the same robot replaces the first
      Channel replacing = open(node.vertx(), node.port(), robot.token()).await();
      until(node.vertx(), () -> again.ended && again.has("replaced", "another channel"), "the old channel ends");
      assertTrue(!replacing.ended);
    }
  }

  /** A tenant's own Suspended window ends its robots' channels, and no other tenant's. */
  @Test
  void aTenantsOwnSuspendedWindowEndsItsRobotsChannelsOnly() throws Exception {
    try (TestNode node = TestNode.start("channel-tenant")) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture suspended = Tenants.create(api, host, "cut", 1).await();
      Tenants.Fixture working = Tenants.create(api, host, "kept", 1).await();
      Channel cut = open(node.vertx(), node.port(), suspended.robots().get(0).token()).await();
      Channel kept = open(node.vertx(), node.port(), working.robots().get(0).token()).await();
      until(node.vertx(), () -> cut.has("commands", "[]") && kept.has("commands", "[]"), "both connected");
      Api.expect(api.post("/api/Maintenance/Start?phase=Suspended&tenantId=" + suspended.id(), host, new JsonObject())
          .await(), 204).await();
      until(node.vertx(), () -> cut.ended && cut.has("suspended", "Suspended"), "its channel ends");
      assertEquals(503, open(node.vertx(), node.port(), suspended.robots().get(0).token()).await().response
          .statusCode());
      // the other tenant's robot still hears its commands on its open channel
      long job = working.robots().get(0).runJob(working.adminToken()).await();
      Api.expect(api.post("/api/Jobs/" + job + "/Stop", working.adminToken(), new JsonObject()).await(), 200).await();
      until(node.vertx(), () -> kept.has("commands", "\"StopJob\",\"jobId\":" + job), "the other channel works on");
      assertTrue(!kept.ended);
    }
  }

  @Test
  void aStopMadeOnOneNodeReachesARobotConnectedToAnother() throws Exception {
    DatabaseEndpoint database = TestDatabase.newSchema("channel_nodes");
    Path keys = Files.createTempDirectory("channel-keys");
    try (TestNode a = TestNode.start(database, Files.createTempDirectory("channel-a"), keys);
        TestNode b = TestNode.start(database, Files.createTempDirectory("channel-b"), keys)) {
      String host = a.api().signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(a.api(), host, "spread", 1).await();
      Tenants.Robot robot = tenant.robots().get(0);
      long job = running(a.api(), tenant, robot);
      Channel onB = open(b.vertx(), b.port(), robot.token()).await();
      until(b.vertx(), () -> onB.has("commands", "[]"), "connected to node B");
      new Maintenance(a.api(), host).start("phase=Draining").await();
      until(b.vertx(), () -> onB.has("commands", "\"StopJob\",\"jobId\":" + job), "node A's sweep reaches node B's robot");
    }
  }

  private static long running(Api api, Tenants.Fixture tenant, Tenants.Robot robot) {
    return robot.runJob(tenant.adminToken()).await();
  }
}
