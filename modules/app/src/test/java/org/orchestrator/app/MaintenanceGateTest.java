package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every route in every phase, normal -> Draining -> Suspended -> normal, asserted from a table:
 * OPEN routes are always served, ROBOT routes are refused only while Suspended, HUMAN routes while
 * Draining and Suspended. A refusal is 503 with Retry-After and code MAINTENANCE.
 */
@org.junit.jupiter.api.Timeout(300)
class MaintenanceGateTest {

  enum Rule { OPEN, ROBOT, HUMAN }

  /** Who calls a route. */
  enum As { NOBODY, HOST, TENANT_ADMIN, ROBOT }

  record Call(HttpMethod method, String path, As as, Rule rule, Object body) {
  }

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture tenant;
  private static long jobId;
  private static long scheduleId;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("gate");
    api = node.api();
    host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "gated", 1).await();
    jobId = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")).await(), 201)
        .await().getLong("id");
    scheduleId = Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", "s")
        .put("processName", "p").put("cron", "0 0 1 1 *")).await(), 201).await().getLong("id");
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  /** The table: one call per operation of the contract, with the rule it must follow. */
  private static Map<String, Call> table() {
    Map<String, Call> calls = new LinkedHashMap<>();
    JsonObject log = new JsonObject().put("jobId", jobId).put("level", "Info").put("message", "m")
        .put("timeStamp", Instant.now().toString());
    calls.put("issueToken", new Call(HttpMethod.POST, "/identity/connect/token", As.NOBODY, Rule.OPEN,
        new JsonObject().put("grant_type", "password").put("username", "admin").put("password", TestNode.ADMIN_PASSWORD)));
    JsonObject classic = new JsonObject().put("tenancyName", "host").put("usernameOrEmailAddress", "admin")
        .put("password", TestNode.ADMIN_PASSWORD);
    calls.put("accountAuthenticate", new Call(HttpMethod.POST, "/api/Account/Authenticate", As.NOBODY, Rule.OPEN, classic));
    calls.put("accountSignIn", new Call(HttpMethod.POST, "/api/Account", As.NOBODY, Rule.OPEN, classic));
    calls.put("healthLive", new Call(HttpMethod.GET, "/health/live", As.NOBODY, Rule.OPEN, null));
    calls.put("healthReady", new Call(HttpMethod.GET, "/health/ready", As.NOBODY, Rule.OPEN, null));
    calls.put("listTenants", new Call(HttpMethod.GET, "/api/Tenants", As.HOST, Rule.HUMAN, null));
    calls.put("createTenant", new Call(HttpMethod.POST, "/api/Tenants", As.HOST, Rule.HUMAN,
        new JsonObject().put("name", "t-" + System.nanoTime())));
    calls.put("listUsers", new Call(HttpMethod.GET, "/api/Users", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("createUser", new Call(HttpMethod.POST, "/api/Users", As.TENANT_ADMIN, Rule.HUMAN,
        new JsonObject().put("username", "u" + System.nanoTime()).put("password", "password-1").put("role", "Operator")));
    calls.put("listRobots", new Call(HttpMethod.GET, "/api/Robots", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("registerRobot", new Call(HttpMethod.POST, "/api/Robots", As.TENANT_ADMIN, Rule.HUMAN,
        new JsonObject().put("name", "r" + System.nanoTime())));
    calls.put("listJobs", new Call(HttpMethod.GET, "/api/Jobs", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("createJob", new Call(HttpMethod.POST, "/api/Jobs", As.TENANT_ADMIN, Rule.HUMAN,
        new JsonObject().put("processName", "p")));
    calls.put("getJob", new Call(HttpMethod.GET, "/api/Jobs/" + jobId, As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("stopJob", new Call(HttpMethod.POST, "/api/Jobs/999999/Stop", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("killJob", new Call(HttpMethod.POST, "/api/Jobs/999999/Kill", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("listQueueItems", new Call(HttpMethod.GET, "/api/QueueItems", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("listRobotLogs", new Call(HttpMethod.GET, "/api/RobotLogs", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("listSchedules", new Call(HttpMethod.GET, "/api/Schedules", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("createSchedule", new Call(HttpMethod.POST, "/api/Schedules", As.TENANT_ADMIN, Rule.HUMAN,
        new JsonObject().put("name", "s" + System.nanoTime()).put("processName", "p").put("cron", "0 0 1 1 *")));
    calls.put("enableSchedule", new Call(HttpMethod.POST, "/api/Schedules/" + scheduleId + "/Enable", As.TENANT_ADMIN,
        Rule.HUMAN, null));
    calls.put("disableSchedule", new Call(HttpMethod.POST, "/api/Schedules/" + scheduleId + "/Disable",
        As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("deleteSchedule", new Call(HttpMethod.DELETE, "/api/Schedules/999999", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("listScheduleFires", new Call(HttpMethod.GET, "/api/Schedules/" + scheduleId + "/Fires",
        As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("robotHeartbeat", new Call(HttpMethod.POST, "/api/robot/heartbeat", As.ROBOT, Rule.ROBOT, new JsonObject()));
    calls.put("robotReportState", new Call(HttpMethod.POST, "/api/robot/jobs/999999/state", As.ROBOT, Rule.ROBOT,
        new JsonObject().put("state", "Running")));
    calls.put("robotUploadLogs", new Call(HttpMethod.POST, "/api/robot/logs", As.ROBOT, Rule.ROBOT,
        new JsonArray().add(log)));
    calls.put("robotAddQueueItem", new Call(HttpMethod.POST, "/api/robot/queues/orders/items", As.ROBOT, Rule.ROBOT,
        new JsonObject().put("payload", new JsonObject().put("n", 1))));
    calls.put("maintenanceGet", new Call(HttpMethod.GET, "/api/Maintenance/Get", As.HOST, Rule.OPEN, null));
    calls.put("maintenancePreview", new Call(HttpMethod.GET, "/api/Maintenance/Preview", As.HOST, Rule.OPEN, null));
    calls.put("maintenanceHistory", new Call(HttpMethod.GET, "/api/Maintenance/History?tenantId=" + tenant.id(),
        As.HOST, Rule.OPEN, null));
    // outside the contract
    calls.put("(contract)", new Call(HttpMethod.GET, "/openapi.json", As.NOBODY, Rule.OPEN, null));
    calls.put("(swagger)", new Call(HttpMethod.GET, "/swagger", As.NOBODY, Rule.OPEN, null));
    calls.put("(sign-in page)", new Call(HttpMethod.GET, "/identity", As.NOBODY, Rule.OPEN, null));
    calls.put("(unknown path)", new Call(HttpMethod.GET, "/api/NoSuchThing", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("(case games)", new Call(HttpMethod.GET, "/API/jobs", As.TENANT_ADMIN, Rule.HUMAN, null));
    return calls;
  }

  /** Operations the table does not call, each with the reason. */
  private static final Set<String> EXERCISED_ELSEWHERE = Set.of(
      "maintenanceStart", "maintenanceEnd", // the transitions of this test
      "maintenanceEvents"); // an endless stream: MaintenanceApiTest reads it

  @Test
  void everyOperationOfTheContractIsInTheTable() throws Exception {
    JsonObject contract = new JsonObject(Buffer.buffer(getClass().getClassLoader()
        .getResourceAsStream("openapi.json").readAllBytes()));
    Set<String> operations = new TreeSet<>();
    contract.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(method ->
        operations.add(((JsonObject) method.getValue()).getString("operationId"))));
    operations.removeAll(table().keySet());
    operations.removeAll(EXERCISED_ELSEWHERE);
    assertEquals(Set.of(), operations, "operations without a gate rule in this test");
  }

  @Test
  void everyRouteFollowsItsRuleInEveryPhase() throws Exception {
    checkAll("None");
    assertEquals(204, api.post("/api/Maintenance/Start?phase=Draining&reason=upgrade", host, new JsonObject()).await()
        .statusCode());
    checkAll("Draining");
    assertEquals(204, api.post("/api/Maintenance/Start?phase=Suspended&force=true", host, new JsonObject()).await()
        .statusCode());
    checkAll("Suspended");
    assertEquals(204, api.post("/api/Maintenance/End", host, new JsonObject()).await().statusCode());
    checkAll("None");
  }

  @Test
  void browsersGetAMaintenancePage() throws Exception {
    assertEquals(204, api.post("/api/Maintenance/Start?phase=Draining&reason=db%20upgrade", host, new JsonObject())
        .await().statusCode());
    try {
      HttpResponse<Buffer> page = api.request(HttpMethod.GET, "/api/Jobs", tenant.adminToken())
          .putHeader("Accept", "text/html,application/xhtml+xml").send().await();
      assertEquals(503, page.statusCode());
      assertTrue(page.getHeader("Content-Type").startsWith("text/html"));
      assertNotNull(page.getHeader("Retry-After"));
      assertTrue(page.bodyAsString().contains("Maintenance in progress"));
      assertTrue(page.bodyAsString().contains("db upgrade"));
    } finally {
      api.post("/api/Maintenance/End", host, new JsonObject()).await();
    }
  }

  private void checkAll(String phase) throws Exception {
    for (Map.Entry<String, Call> entry : table().entrySet()) {
      Call call = entry.getValue();
      HttpResponse<Buffer> response = send(call);
      boolean refused = switch (call.rule()) {
        case OPEN -> false;
        case ROBOT -> phase.equals("Suspended");
        case HUMAN -> !phase.equals("None");
      };
      String what = phase + " " + entry.getKey() + " " + call.method() + " " + call.path() + " -> "
          + response.statusCode() + " " + response.bodyAsString();
      if (refused) {
        assertEquals(503, response.statusCode(), what);
        assertEquals("MAINTENANCE", response.bodyAsJsonObject().getString("code"), what);
        assertEquals(1000, response.bodyAsJsonObject().getInteger("errorCode"), what);
        assertEquals(phase, response.bodyAsJsonObject().getString("phase"), what);
        assertNotNull(response.getHeader("Retry-After"), what);
      } else {
        assertNotEquals(503, response.statusCode(), what);
        assertTrue(response.statusCode() < 500, what);
      }
    }
  }

  private HttpResponse<Buffer> send(Call call) throws Exception {
    String token = switch (call.as()) {
      case NOBODY -> null;
      case HOST -> host;
      case TENANT_ADMIN -> tenant.adminToken();
      case ROBOT -> tenant.robots().get(0).token();
    };
    HttpRequest<Buffer> request = api.request(call.method(), call.path(), token);
    if (call.body() instanceof JsonObject object) {
      return request.sendJsonObject(object).await();
    }
    if (call.body() instanceof JsonArray array) {
      return request.sendJson(array).await();
    }
    return request.send().await();
  }
}
