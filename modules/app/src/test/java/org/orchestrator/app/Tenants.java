package org.orchestrator.app;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures: a tenant with an administrator and robots, all signed in over HTTP. */
public final class Tenants {

  /** A signed-in tenant: its id, its administrator's token and its robots. */
  public record Fixture(String name, long id, String adminToken, List<Robot> robots) {
  }

  /** A registered, signed-in robot that speaks the robot protocol over HTTP. */
  public record Robot(Api api, long id, String secret, String token) {

    public org.orchestrator.simulator.RobotFleet.Credentials credentials() {
      return new org.orchestrator.simulator.RobotFleet.Credentials(Long.toString(id), secret);
    }

    public Future<JsonArray> heartbeat() {
      return api.post("/api/robot/heartbeat", token, new JsonObject())
          .compose(response -> Api.expect(response, 200)).map(body -> body.getJsonArray("commands"));
    }

    public Future<HttpResponse<Buffer>> report(long jobId, String state) {
      return api.post("/api/robot/jobs/" + jobId + "/state", token, new JsonObject().put("state", state));
    }

    /** A job naming this robot, handed to it and reported Running: its id. */
    public Future<Long> runJob(String adminToken) {
      return runJob(adminToken, "p");
    }

    /** A job of {@code processName} naming this robot, handed to it and reported Running: its id. */
    public Future<Long> runJob(String adminToken, String processName) {
      return api.post("/api/Jobs", adminToken, new JsonObject().put("processName", processName).put("robotId", id))
          .compose(created -> Api.expect(created, 201)).map(job -> job.getLong("id"))
          .compose(job -> heartbeat().compose(commands -> report(job, "Running"))
              .compose(reported -> Api.expect(reported, 200)).map(ok -> job));
    }

    public Future<HttpResponse<Buffer>> logs(JsonArray lines) {
      return api.request(io.vertx.core.http.HttpMethod.POST, "/api/robot/logs", token).sendJson(lines);
    }
  }

  private Tenants() {
  }

  /** Creates a tenant with an administrator {@code admin} and {@code robots} robots. */
  public static Future<Fixture> create(Api api, String hostToken, String name, int robots) {
    return api.createTenant(hostToken, name)
        .compose(id -> api.createUser(hostToken, id, "admin", "admin-password", "Administrator")
            .compose(user -> api.signIn(name, "admin", "admin-password"))
            .compose(adminToken -> registerRobots(api, adminToken, name, robots)
                .map(list -> new Fixture(name, id, adminToken, list))));
  }

  private static Future<List<Robot>> registerRobots(Api api, String adminToken, String tenant, int count) {
    Future<List<Robot>> chain = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < count; i++) {
      String robotName = tenant + "-robot-" + i;
      chain = chain.compose(list -> api.post("/api/Robots", adminToken, new JsonObject().put("name", robotName))
          .compose(response -> Api.expect(response, 201))
          .compose(robot -> api.robotToken(robot.getLong("id").toString(), robot.getString("secret"))
              .compose(response -> Api.expect(response, 200))
              .map(token -> {
                list.add(new Robot(api, robot.getLong("id"), robot.getString("secret"),
                    token.getString("access_token")));
                return list;
              })));
    }
    return chain;
  }
}
