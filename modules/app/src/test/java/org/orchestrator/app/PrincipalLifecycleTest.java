package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deleting, disabling and enabling users and robots (issue 30, item 3): who may, what is refused
 * (yourself, the last enabled administrator of a tenant, the host administrator: 409; another
 * tenant's principal: 404; bad ids: 400), the audit of each change, sign-in of a disabled
 * principal, and what becomes of a deleted robot's jobs, schedules and queue items.
 */
@Timeout(240)
class PrincipalLifecycleTest {

  private static TestNode node;
  private static Api api;
  private static String host;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("lifecycle");
    api = node.api();
    host = api.signInHostAdmin().await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponse<Buffer> delete(String path, String token) {
    return api.send(HttpMethod.DELETE, path, token).await();
  }

  private static HttpResponse<Buffer> post(String path, String token) {
    return api.post(path, token, new JsonObject()).await();
  }

  private static JsonObject users(String token, Long tenantId) {
    return Api.expect(api.get("/api/Users" + (tenantId == null ? "" : "?tenantId=" + tenantId), token).await(), 200)
        .await();
  }

  private static JsonObject user(long tenantId, long userId) {
    for (Object item : users(host, tenantId).getJsonArray("items")) {
      if (((JsonObject) item).getLong("id") == userId) {
        return (JsonObject) item;
      }
    }
    return null;
  }

  private static JsonArray audit(String token, String query) {
    return Api.expect(api.get("/api/AuditLogs" + query, token).await(), 200).await().getJsonArray("items");
  }

  @Test
  void aDeletedTenantAdministratorCreatesNoRobotsAndNoUsers() throws Exception {
    Tenants.Fixture tenant = Tenants.create(api, host, "gone-admin", 0).await();
    long deputy = api.createUser(host, tenant.id(), "deputy", "deputy-password", "Administrator").await()
        .getLong("id");
    String token = api.signIn(tenant.name(), "deputy", "deputy-password").await();
    Api.expect(api.post("/api/Robots", token, new JsonObject().put("name", "before")).await(), 201).await();

    assertEquals(204, delete("/api/Users/" + deputy, host).statusCode());
    JsonObject usersBefore = users(host, tenant.id());
    int robotsBefore = Api.expect(api.get("/api/Robots", tenant.adminToken()).await(), 200).await()
        .getJsonArray("items").size();
    Expect.error(api.post("/api/Robots", token, new JsonObject().put("name", "after")).await(), 401, "UNAUTHORIZED");
    Expect.error(api.post("/api/Users", token, new JsonObject().put("username", "successor")
        .put("password", "successor-password").put("role", "Administrator")).await(), 401, "UNAUTHORIZED");
    Expect.error(api.get("/api/Users", token).await(), 401, "UNAUTHORIZED");
    assertEquals(usersBefore, users(host, tenant.id()), "no user was created");
    assertEquals(robotsBefore, Api.expect(api.get("/api/Robots", tenant.adminToken()).await(), 200).await()
        .getJsonArray("items").size(), "no robot was created");
    // gone: not listed, cannot sign in (as a wrong password), a second delete is 404
    assertNull(user(tenant.id(), deputy));
    JsonObject refused = Expect.error(api.token(tenant.name(), "deputy", "deputy-password").await(), 401,
        "UNAUTHORIZED");
    assertEquals("invalid username or password", refused.getString("message"));
    Expect.error(delete("/api/Users/" + deputy, host), 404, "NOT_FOUND");
    // the name is free again, and its new owner is someone else
    api.createUser(tenant.adminToken(), null, "deputy", "another-password", "Operator").await();
    Expect.error(api.get("/api/Users", token).await(), 401, "UNAUTHORIZED");
  }

  @Test
  void nobodyRemovesThemselvesTheLastEnabledAdministratorOrTheHostAdministrator() throws Exception {
    Tenants.Fixture tenant = Tenants.create(api, host, "last-admin", 0).await();
    long first = users(tenant.adminToken(), null).getJsonArray("items").getJsonObject(0).getLong("id");
    long operator = api.createUser(tenant.adminToken(), null, "op", "operator-password", "Operator").await()
        .getLong("id");
    String operatorToken = api.signIn(tenant.name(), "op", "operator-password").await();

    // yourself
    assertTrue(Expect.error(delete("/api/Users/" + first, tenant.adminToken()), 409, "CONFLICT")
        .getString("message").contains("yourself"));
    Expect.error(post("/api/Users/" + first + "/Disable", tenant.adminToken()), 409, "CONFLICT");
    // the last enabled administrator, even for the host administrator
    assertTrue(Expect.error(delete("/api/Users/" + first, host), 409, "CONFLICT").getString("message")
        .contains("last enabled Administrator"));
    Expect.error(post("/api/Users/" + first + "/Disable", host), 409, "CONFLICT");
    // the host administrator (their own id), and from a tenant it does not exist
    long hostId = users(host, null).getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(u -> "HostAdministrator".equals(u.getString("role"))).findFirst().orElseThrow().getLong("id");
    assertTrue(Expect.error(delete("/api/Users/" + hostId, host), 409, "CONFLICT").getString("message")
        .contains("host administrator"));
    Expect.error(post("/api/Users/" + hostId + "/Disable", host), 409, "CONFLICT");
    Expect.error(delete("/api/Users/" + hostId, tenant.adminToken()), 404, "NOT_FOUND");
    // operators manage nobody
    Expect.error(delete("/api/Users/" + operator, operatorToken), 403, "FORBIDDEN");
    Expect.error(post("/api/Users/" + operator + "/Disable", operatorToken), 403, "FORBIDDEN");

    // with a second administrator the first may go, and then the second is the last
    long second = api.createUser(tenant.adminToken(), null, "second", "second-password", "Administrator").await()
        .getLong("id");
    String secondToken = api.signIn(tenant.name(), "second", "second-password").await();
    JsonObject disabled = Api.expect(post("/api/Users/" + first + "/Disable", secondToken), 200).await();
    assertEquals(false, disabled.getBoolean("enabled"));
    assertEquals("second", disabled.getString("disabledBy"));
    assertNotNull(disabled.getString("disabledAt"));
    // disabling again changes nothing (first time and author kept)
    assertEquals(disabled, Api.expect(post("/api/Users/" + first + "/Disable", host), 200).await());
    Expect.error(post("/api/Users/" + second + "/Disable", host), 409, "CONFLICT");
    Expect.error(delete("/api/Users/" + second, host), 409, "CONFLICT");
    // operators do not count as administrators; disabling one is fine
    Api.expect(post("/api/Users/" + operator + "/Disable", secondToken), 200).await();
    JsonObject enabled = Api.expect(post("/api/Users/" + first + "/Enable", host), 200).await();
    assertEquals(true, enabled.getBoolean("enabled"));
    assertNull(enabled.getValue("disabledAt"));
    assertEquals(204, delete("/api/Users/" + second, host).statusCode());
    assertEquals(true, user(tenant.id(), first).getBoolean("enabled"));
    assertEquals(false, user(tenant.id(), operator).getBoolean("enabled"));
  }

  @Test
  void anotherTenantsPrincipalsAreNotFoundAndBadIdsAreRefusedAndNothingChanges() throws Exception {
    Tenants.Fixture mine = Tenants.create(api, host, "mine", 1).await();
    Tenants.Fixture theirs = Tenants.create(api, host, "theirs", 1).await();
    long theirAdmin = users(theirs.adminToken(), null).getJsonArray("items").getJsonObject(0).getLong("id");
    long theirRobot = theirs.robots().get(0).id();
    JsonObject before = snapshot(mine, theirs);

    List<String> problems = new ArrayList<>();
    List<String> ids = List.of("0", "-1", "18446744073709551617", "99999999999999999999999", "abc", "1.5", "1e3",
        "%20", "+1", "null");
    for (String id : ids) {
      for (String route : List.of("/api/Users/%s", "/api/Users/%s/Disable", "/api/Users/%s/Enable",
          "/api/Robots/%s", "/api/Robots/%s/Disable", "/api/Robots/%s/Enable")) {
        String path = route.formatted(id);
        for (String token : List.of(host, mine.adminToken())) {
          HttpResponse<Buffer> response = path.endsWith("able") ? post(path, token) : delete(path, token);
          if (response.statusCode() < 400 || response.statusCode() >= 500
              || !String.valueOf(response.getHeader("Content-Type")).startsWith("application/json")) {
            problems.add(path + " -> " + response.statusCode() + " " + response.bodyAsString());
          }
        }
      }
    }
    assertEquals(List.of(), problems);
    // another tenant's user and robot do not exist for a tenant administrator
    for (String path : List.of("/api/Users/" + theirAdmin, "/api/Robots/" + theirRobot)) {
      Expect.error(delete(path, mine.adminToken()), 404, "NOT_FOUND");
      Expect.error(post(path + "/Disable", mine.adminToken()), 404, "NOT_FOUND");
      Expect.error(post(path + "/Enable", mine.adminToken()), 404, "NOT_FOUND");
    }
    // robots belong to their tenant's administrators
    Expect.error(delete("/api/Robots/" + theirRobot, host), 403, "FORBIDDEN");
    assertEquals(before, snapshot(mine, theirs), "nothing changed");
    // their principals still work
    assertEquals(200, theirs.robots().get(0).heartbeat().map(commands -> 200).await());
    Api.expect(api.get("/api/Robots", theirs.adminToken()).await(), 200).await();
  }

  private static JsonObject snapshot(Tenants.Fixture... tenants) {
    JsonObject state = new JsonObject().put("users", users(host, null)).put("audit", audit(host, "?size=1000"));
    for (Tenants.Fixture tenant : tenants) {
      JsonArray robots = Api.expect(api.get("/api/Robots", tenant.adminToken()).await(), 200).await()
          .getJsonArray("items");
      robots.forEach(robot -> ((JsonObject) robot).remove("lastHeartbeatAt"));
      state.put("robots-" + tenant.name(), robots);
    }
    return state;
  }

  @Test
  void aDisabledRobotGetsNoTokenAndEnabledAgainOnlyNewTokensWork() throws Exception {
    Tenants.Fixture tenant = Tenants.create(api, host, "disabled-robot", 1).await();
    Tenants.Robot robot = tenant.robots().get(0);
    JsonObject disabled = Api.expect(post("/api/Robots/" + robot.id() + "/Disable", tenant.adminToken()), 200)
        .await();
    assertEquals(false, disabled.getBoolean("enabled"), disabled.encode());
    assertEquals("admin", disabled.getString("disabledBy"));
    JsonObject listed = Api.expect(api.get("/api/Robots", tenant.adminToken()).await(), 200).await()
        .getJsonArray("items").getJsonObject(0);
    assertEquals(false, listed.getBoolean("enabled"));
    Expect.error(api.post("/api/robot/heartbeat", robot.token(), new JsonObject()).await(), 401, "UNAUTHORIZED");
    // the same answer as a wrong secret
    JsonObject refused = Expect.error(api.robotToken(Long.toString(robot.id()), robot.secret()).await(), 401,
        "UNAUTHORIZED");
    JsonObject wrong = Expect.error(api.robotToken(Long.toString(robot.id()), "wrong-secret").await(), 401,
        "UNAUTHORIZED");
    assertEquals(wrong.getString("message"), refused.getString("message"));

    Api.expect(post("/api/Robots/" + robot.id() + "/Enable", tenant.adminToken()), 200).await();
    Expect.error(api.post("/api/robot/heartbeat", robot.token(), new JsonObject()).await(), 401, "UNAUTHORIZED");
    String fresh = Api.expect(api.robotToken(Long.toString(robot.id()), robot.secret()).await(), 200).await()
        .getString("access_token");
    assertEquals(200, api.post("/api/robot/heartbeat", fresh, new JsonObject()).await().statusCode());
  }

  @Test
  void aDeletedRobotsWorkEndsItsSchedulesStopAndItsQueueItemsGoBack() throws Exception {
    Tenants.Fixture tenant = Tenants.create(api, host, "deleted-robot", 2).await();
    Tenants.Robot robot = tenant.robots().get(0);
    Tenants.Robot other = tenant.robots().get(1);
    long running = robot.runJob(tenant.adminToken()).await();
    long waiting = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "next")
        .put("robotId", robot.id())).await(), 201).await().getLong("id");
    long schedule = Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", "nightly")
        .put("processName", "p").put("cron", "0 0 1 1 *").put("robotId", robot.id())).await(), 201).await()
        .getLong("id");
    long elsewhere = Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", "any")
        .put("processName", "p").put("cron", "0 0 1 1 *")).await(), 201).await().getLong("id");
    Api.expect(api.post("/api/robot/queues/orders/items", robot.token(), new JsonObject().put("reference", "o-1")
        .put("payload", new JsonObject())).await(), 201).await();
    long item = Api.expect(api.post("/api/robot/queues/orders/next", robot.token(), new JsonObject()).await(), 200)
        .await().getLong("id");

    assertEquals(204, delete("/api/Robots/" + robot.id(), tenant.adminToken()).statusCode());

    JsonObject ran = Api.expect(api.get("/api/Jobs/" + running, tenant.adminToken()).await(), 200).await();
    assertEquals("Faulted", ran.getString("state"));
    assertEquals("robot deleted", ran.getString("info"));
    JsonObject waited = Api.expect(api.get("/api/Jobs/" + waiting, tenant.adminToken()).await(), 200).await();
    assertEquals("Stopped", waited.getString("state"));
    assertEquals("robot deleted", waited.getString("info"));
    JsonArray schedules = Api.expect(api.get("/api/Schedules", tenant.adminToken()).await(), 200).await()
        .getJsonArray("items");
    for (Object s : schedules) {
      JsonObject found = (JsonObject) s;
      assertEquals(found.getLong("id") != schedule, found.getBoolean("enabled"), found.encode());
    }
    assertTrue(schedules.stream().anyMatch(s -> ((JsonObject) s).getLong("id") == elsewhere));
    // the item it held is New again, and the tenant's other robot takes it
    JsonObject taken = Api.expect(api.post("/api/robot/queues/orders/next", other.token(), new JsonObject()).await(),
        200).await();
    assertEquals(item, taken.getLong("id"));
    // the robot is gone from the list, and deleting it again is 404
    JsonArray robots = Api.expect(api.get("/api/Robots", tenant.adminToken()).await(), 200).await()
        .getJsonArray("items");
    assertFalse(robots.stream().anyMatch(r -> ((JsonObject) r).getLong("id") == robot.id()), robots.encode());
    Expect.error(delete("/api/Robots/" + robot.id(), tenant.adminToken()), 404, "NOT_FOUND");
    // a job without a robot goes to the other robot, never to the deleted one
    long free = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "free"))
        .await(), 201).await().getLong("id");
    Expect.error(api.post("/api/robot/heartbeat", robot.token(), new JsonObject()).await(), 401, "UNAUTHORIZED");
    assertTrue(other.heartbeat().await().encode().contains("\"jobId\":" + free));
    // the audit names who deleted it and what became of its work
    JsonObject entry = audit(tenant.adminToken(), "").stream().map(JsonObject.class::cast)
        .filter(e -> "RobotDeleted".equals(e.getString("action"))).findFirst().orElseThrow();
    assertEquals(robot.id(), entry.getLong("targetId"));
    assertEquals("admin", entry.getString("actorName"));
    assertTrue(entry.getString("detail").contains("1 job faulted"), entry.encode());
  }

  @Test
  void everyChangeIsAuditedAndEachAdministratorReadsTheirOwn() throws Exception {
    Tenants.Fixture tenant = Tenants.create(api, host, "audited", 1).await();
    Tenants.Fixture stranger = Tenants.create(api, host, "stranger", 0).await();
    long clerk = api.createUser(tenant.adminToken(), null, "clerk", "clerk-password", "Operator").await()
        .getLong("id");
    String clerkToken = api.signIn(tenant.name(), "clerk", "clerk-password").await();
    long robot = tenant.robots().get(0).id();
    Api.expect(post("/api/Users/" + clerk + "/Disable", tenant.adminToken()), 200).await();
    Api.expect(post("/api/Users/" + clerk + "/Enable", host), 200).await();
    Api.expect(post("/api/Robots/" + robot + "/Disable", tenant.adminToken()), 200).await();
    Api.expect(post("/api/Robots/" + robot + "/Enable", tenant.adminToken()), 200).await();
    assertEquals(204, delete("/api/Users/" + clerk, host).statusCode());
    assertEquals(204, delete("/api/Robots/" + robot, tenant.adminToken()).statusCode());

    JsonArray own = audit(tenant.adminToken(), "");
    List<String> actions = own.stream().map(JsonObject.class::cast)
        .map(e -> e.getString("action") + " " + e.getString("targetName") + " by " + e.getString("actorName"))
        .toList();
    // newest first, creations included
    assertEquals(List.of("RobotDeleted audited-robot-0 by admin", "UserDeleted clerk by admin",
        "RobotEnabled audited-robot-0 by admin", "RobotDisabled audited-robot-0 by admin",
        "UserEnabled clerk by admin", "UserDisabled clerk by admin", "UserCreated clerk by admin",
        "RobotRegistered audited-robot-0 by admin", "UserCreated admin by admin"), actions);
    JsonObject deleted = own.getJsonObject(1);
    assertEquals("User", deleted.getString("targetKind"));
    assertEquals(clerk, deleted.getLong("targetId"));
    assertEquals(tenant.id(), deleted.getLong("tenantId"));
    assertEquals("HostAdministrator", deleted.getString("actorRole"));
    assertNotNull(deleted.getString("at"));
    // the host reads every tenant's, or one; a tenant administrator never another's
    assertEquals(own, audit(host, "?tenantId=" + tenant.id()));
    assertTrue(audit(host, "").size() >= own.size() + 1);
    assertEquals(1, audit(host, "?tenantId=" + stranger.id()).size());
    Expect.error(api.get("/api/AuditLogs?tenantId=" + stranger.id(), tenant.adminToken()).await(), 403, "FORBIDDEN");
    Expect.error(api.get("/api/AuditLogs", clerkToken).await(), 401, "UNAUTHORIZED");
    // paged by cursor
    JsonObject page = Api.expect(api.get("/api/AuditLogs?size=4", tenant.adminToken()).await(), 200).await();
    assertEquals(4, page.getJsonArray("items").size());
    JsonObject rest = Api.expect(api.get("/api/AuditLogs?size=10&after=" + page.getString("next"),
        tenant.adminToken()).await(), 200).await();
    assertEquals(own.size() - 4, rest.getJsonArray("items").size());
    assertNull(rest.getValue("next"));
  }
}
