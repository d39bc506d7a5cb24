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
 * Every route in every phase, normal -> Draining -> Suspended -> normal: each operation follows the
 * rule the contract gives it ({@code x-maintenance} in openapi.json, which the gate is built from):
 * OPEN routes are always served, ROBOT routes are refused only while Suspended, HUMAN routes while
 * Draining and Suspended. A refusal is 503 with Retry-After and code MAINTENANCE. The contract's
 * rules themselves are held to the spec's in {@link #theContractsRulesAreTheSpecs}.
 */
@org.junit.jupiter.api.Timeout(300)
class MaintenanceGateTest {

  enum Rule { OPEN, ROBOT, HUMAN }

  /** Who calls a route. */
  enum As { NOBODY, HOST, TENANT_ADMIN, OPERATOR, ROBOT }

  record Call(HttpMethod method, String path, As as, Rule rule, Object body) {
  }

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture tenant;
  private static long jobId;
  private static long scheduleId;
  private static String operator;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("gate");
    api = node.api();
    host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "gated", 1).await();
    api.createUser(tenant.adminToken(), null, "gate-operator", "operator-password-1", "Operator").await();
    operator = api.signIn(tenant.name(), "gate-operator", "operator-password-1").await();
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
    calls.put("issueToken", new Call(HttpMethod.POST, "/identity/connect/token", As.NOBODY, ruleOf("issueToken"),
        new JsonObject().put("grant_type", "password").put("username", "admin").put("password", TestNode.ADMIN_PASSWORD)));
    JsonObject classic = new JsonObject().put("tenancyName", "host").put("usernameOrEmailAddress", "admin")
        .put("password", TestNode.ADMIN_PASSWORD);
    calls.put("accountAuthenticate", new Call(HttpMethod.POST, "/api/Account/Authenticate", As.NOBODY, ruleOf("accountAuthenticate"), classic));
    calls.put("accountSignIn", new Call(HttpMethod.POST, "/api/Account", As.NOBODY, ruleOf("accountSignIn"), classic));
    calls.put("healthLive", new Call(HttpMethod.GET, "/health/live", As.NOBODY, ruleOf("healthLive"), null));
    calls.put("healthReady", new Call(HttpMethod.GET, "/health/ready", As.NOBODY, ruleOf("healthReady"), null));
    calls.put("listTenants", new Call(HttpMethod.GET, "/api/Tenants", As.HOST, ruleOf("listTenants"), null));
    calls.put("createTenant", new Call(HttpMethod.POST, "/api/Tenants", As.HOST, ruleOf("createTenant"),
        new JsonObject().put("name", "t-" + System.nanoTime())));
    calls.put("listUsers", new Call(HttpMethod.GET, "/api/Users", As.TENANT_ADMIN, ruleOf("listUsers"), null));
    calls.put("createUser", new Call(HttpMethod.POST, "/api/Users", As.TENANT_ADMIN, ruleOf("createUser"),
        new JsonObject().put("username", "u" + System.nanoTime()).put("password", "password-1").put("role", "Operator")));
    calls.put("deleteUser", new Call(HttpMethod.DELETE, "/api/Users/999999", As.TENANT_ADMIN, ruleOf("deleteUser"),
        null));
    calls.put("disableUser", new Call(HttpMethod.POST, "/api/Users/999999/Disable", As.TENANT_ADMIN,
        ruleOf("disableUser"), null));
    calls.put("enableUser", new Call(HttpMethod.POST, "/api/Users/999999/Enable", As.TENANT_ADMIN,
        ruleOf("enableUser"), null));
    calls.put("listAuditLogs", new Call(HttpMethod.GET, "/api/AuditLogs", As.TENANT_ADMIN, ruleOf("listAuditLogs"),
        null));
    calls.put("listRobots", new Call(HttpMethod.GET, "/api/Robots", As.TENANT_ADMIN, ruleOf("listRobots"), null));
    calls.put("deleteRobot", new Call(HttpMethod.DELETE, "/api/Robots/999999", As.TENANT_ADMIN, ruleOf("deleteRobot"),
        null));
    calls.put("disableRobot", new Call(HttpMethod.POST, "/api/Robots/999999/Disable", As.TENANT_ADMIN,
        ruleOf("disableRobot"), null));
    calls.put("enableRobot", new Call(HttpMethod.POST, "/api/Robots/999999/Enable", As.TENANT_ADMIN,
        ruleOf("enableRobot"), null));
    calls.put("registerRobot", new Call(HttpMethod.POST, "/api/Robots", As.TENANT_ADMIN, ruleOf("registerRobot"),
        new JsonObject().put("name", "r" + System.nanoTime())));
    calls.put("cordonRobot", new Call(HttpMethod.POST, "/api/Robots/999999/Cordon", As.TENANT_ADMIN,
        ruleOf("cordonRobot"), new JsonObject()));
    calls.put("previewCordon", new Call(HttpMethod.GET, "/api/Robots/999999/Cordon", As.TENANT_ADMIN,
        ruleOf("previewCordon"), null));
    calls.put("uncordonRobot", new Call(HttpMethod.POST, "/api/Robots/999999/Uncordon", As.TENANT_ADMIN,
        ruleOf("uncordonRobot"), null));
    calls.put("listJobs", new Call(HttpMethod.GET, "/api/Jobs", As.TENANT_ADMIN, ruleOf("listJobs"), null));
    calls.put("createJob", new Call(HttpMethod.POST, "/api/Jobs", As.TENANT_ADMIN, ruleOf("createJob"),
        new JsonObject().put("processName", "p")));
    calls.put("getJob", new Call(HttpMethod.GET, "/api/Jobs/" + jobId, As.TENANT_ADMIN, ruleOf("getJob"), null));
    calls.put("stopJob", new Call(HttpMethod.POST, "/api/Jobs/999999/Stop", As.TENANT_ADMIN, ruleOf("stopJob"), null));
    calls.put("killJob", new Call(HttpMethod.POST, "/api/Jobs/999999/Kill", As.TENANT_ADMIN, ruleOf("killJob"), null));
    calls.put("listQueueItems", new Call(HttpMethod.GET, "/api/QueueItems", As.TENANT_ADMIN, ruleOf("listQueueItems"), null));
    calls.put("listRobotLogs", new Call(HttpMethod.GET, "/api/RobotLogs", As.TENANT_ADMIN, ruleOf("listRobotLogs"), null));
    calls.put("listSchedules", new Call(HttpMethod.GET, "/api/Schedules", As.TENANT_ADMIN, ruleOf("listSchedules"), null));
    calls.put("createSchedule", new Call(HttpMethod.POST, "/api/Schedules", As.TENANT_ADMIN, ruleOf("createSchedule"),
        new JsonObject().put("name", "s" + System.nanoTime()).put("processName", "p").put("cron", "0 0 1 1 *")));
    calls.put("enableSchedule", new Call(HttpMethod.POST, "/api/Schedules/" + scheduleId + "/Enable", As.TENANT_ADMIN,
        ruleOf("enableSchedule"), null));
    calls.put("disableSchedule", new Call(HttpMethod.POST, "/api/Schedules/" + scheduleId + "/Disable",
        As.TENANT_ADMIN, ruleOf("disableSchedule"), null));
    calls.put("deleteSchedule", new Call(HttpMethod.DELETE, "/api/Schedules/999999", As.TENANT_ADMIN, ruleOf("deleteSchedule"), null));
    calls.put("listScheduleFires", new Call(HttpMethod.GET, "/api/Schedules/" + scheduleId + "/Fires",
        As.TENANT_ADMIN, ruleOf("listScheduleFires"), null));
    calls.put("robotHeartbeat", new Call(HttpMethod.POST, "/api/robot/heartbeat", As.ROBOT, ruleOf("robotHeartbeat"), new JsonObject()));
    calls.put("robotReportState", new Call(HttpMethod.POST, "/api/robot/jobs/999999/state", As.ROBOT, ruleOf("robotReportState"),
        new JsonObject().put("state", "Running")));
    calls.put("robotUploadLogs", new Call(HttpMethod.POST, "/api/robot/logs", As.ROBOT, ruleOf("robotUploadLogs"),
        new JsonArray().add(log)));
    calls.put("robotAddQueueItem", new Call(HttpMethod.POST, "/api/robot/queues/orders/items", As.ROBOT, ruleOf("robotAddQueueItem"),
        new JsonObject().put("payload", new JsonObject().put("n", 1))));
    calls.put("robotTakeQueueItem", new Call(HttpMethod.POST, "/api/robot/queues/orders/next", As.ROBOT,
        ruleOf("robotTakeQueueItem"), new JsonObject()));
    calls.put("robotFinishQueueItem", new Call(HttpMethod.POST, "/api/robot/queue-items/999999/result", As.ROBOT,
        ruleOf("robotFinishQueueItem"), new JsonObject().put("status", "Successful")));
    calls.put("createAsset", new Call(HttpMethod.POST, "/api/Assets", As.TENANT_ADMIN, ruleOf("createAsset"),
        new JsonObject().put("name", "a" + System.nanoTime()).put("type", "Text").put("value", "v")));
    calls.put("listAssets", new Call(HttpMethod.GET, "/api/Assets", As.TENANT_ADMIN, ruleOf("listAssets"), null));
    calls.put("updateAsset", new Call(HttpMethod.PUT, "/api/Assets/999999", As.TENANT_ADMIN, ruleOf("updateAsset"),
        new JsonObject().put("value", "v")));
    calls.put("deleteAsset", new Call(HttpMethod.DELETE, "/api/Assets/999999", As.TENANT_ADMIN, ruleOf("deleteAsset"),
        null));
    calls.put("robotGetAsset", new Call(HttpMethod.GET, "/api/robot/assets/nosuch", As.ROBOT, ruleOf("robotGetAsset"),
        null));
    calls.put("maintenanceGet", new Call(HttpMethod.GET, "/api/Maintenance/Get", As.HOST, ruleOf("maintenanceGet"), null));
    calls.put("maintenancePreview", new Call(HttpMethod.GET, "/api/Maintenance/Preview", As.HOST, ruleOf("maintenancePreview"), null));
    calls.put("maintenanceHistory", new Call(HttpMethod.GET, "/api/Maintenance/History?tenantId=" + tenant.id(),
        As.HOST, ruleOf("maintenanceHistory"), null));
    calls.put("maintenancePlans", new Call(HttpMethod.GET, "/api/Maintenance/Plans", As.TENANT_ADMIN,
        ruleOf("maintenancePlans"), null));
    calls.put("maintenancePlanCreate", new Call(HttpMethod.POST, "/api/Maintenance/Plans", As.HOST,
        ruleOf("maintenancePlanCreate"), new JsonObject().put("drainAt", java.time.Instant.now()
            .plus(java.time.Duration.ofDays(30)).toString()).put("reason", "gate")));
    calls.put("maintenancePlanCancel", new Call(HttpMethod.DELETE, "/api/Maintenance/Plans/999999", As.HOST,
        ruleOf("maintenancePlanCancel"), null));
    calls.put("maintenanceExemptions", new Call(HttpMethod.GET, "/api/Maintenance/Exemptions", As.TENANT_ADMIN,
        ruleOf("maintenanceExemptions"), null));
    calls.put("maintenanceExemptionsSet", new Call(HttpMethod.PUT, "/api/Maintenance/Exemptions", As.HOST,
        ruleOf("maintenanceExemptionsSet"), new JsonObject().put("items", new io.vertx.core.json.JsonArray())));
    calls.put("createWebhook", new Call(HttpMethod.POST, "/api/Webhooks", As.TENANT_ADMIN, ruleOf("createWebhook"),
        new JsonObject().put("url", "http://127.0.0.1:9/hook").put("secret", "s".repeat(16))
            .put("events", new JsonArray().add("maintenance.ended"))));
    calls.put("listWebhooks", new Call(HttpMethod.GET, "/api/Webhooks", As.TENANT_ADMIN, ruleOf("listWebhooks"), null));
    calls.put("deleteWebhook", new Call(HttpMethod.DELETE, "/api/Webhooks/999999", As.TENANT_ADMIN,
        ruleOf("deleteWebhook"), null));
    calls.put("webhookDeliveries", new Call(HttpMethod.GET, "/api/Webhooks/999999/Deliveries", As.TENANT_ADMIN,
        ruleOf("webhookDeliveries"), null));
    calls.put("getRetention", new Call(HttpMethod.GET, "/api/Retention", As.HOST, ruleOf("getRetention"), null));
    calls.put("putRetention", new Call(HttpMethod.PUT, "/api/Retention", As.HOST, ruleOf("putRetention"),
        new JsonObject().put("archive", true)));
    calls.put("startRetentionRun", new Call(HttpMethod.POST, "/api/Retention/Run", As.HOST,
        ruleOf("startRetentionRun"), null));
    calls.put("listRetentionRuns", new Call(HttpMethod.GET, "/api/Retention/Runs", As.HOST,
        ruleOf("listRetentionRuns"), null));
    // outside the contract
    calls.put("(contract)", new Call(HttpMethod.GET, "/openapi.json", As.NOBODY, Rule.OPEN, null));
    calls.put("(swagger)", new Call(HttpMethod.GET, "/swagger", As.NOBODY, Rule.OPEN, null));
    calls.put("(sign-in page)", new Call(HttpMethod.GET, "/identity", As.NOBODY, Rule.OPEN, null));
    calls.put("(unknown path)", new Call(HttpMethod.GET, "/api/NoSuchThing", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("(case games)", new Call(HttpMethod.GET, "/API/jobs", As.TENANT_ADMIN, Rule.HUMAN, null));
    calls.put("(robot path, human case)", new Call(HttpMethod.POST, "/API/ROBOT/heartbeat", As.ROBOT, Rule.ROBOT,
        new JsonObject()));
    calls.put("(unknown robot path)", new Call(HttpMethod.GET, "/api/robot/nosuch", As.ROBOT, Rule.HUMAN, null));
    calls.put("(unknown maintenance path)", new Call(HttpMethod.GET, "/api/Maintenance/Nosuch", As.HOST, Rule.HUMAN,
        null));
    calls.put("(metrics)", new Call(HttpMethod.GET, "/metrics", As.NOBODY, Rule.OPEN, null));
    return calls;
  }

  private static JsonObject contract() throws java.io.IOException {
    return new JsonObject(Buffer.buffer(MaintenanceGateTest.class.getClassLoader()
        .getResourceAsStream("openapi.json").readAllBytes()));
  }

  /** The rule the contract gives an operation. */
  private static Rule ruleOf(String operationId) {
    try {
      JsonObject paths = contract().getJsonObject("paths");
      for (String path : paths.fieldNames()) {
        for (Map.Entry<String, Object> method : paths.getJsonObject(path)) {
          JsonObject operation = (JsonObject) method.getValue();
          if (operationId.equals(operation.getString("operationId"))) {
            return Rule.valueOf(operation.getString("x-maintenance").toUpperCase(java.util.Locale.ROOT));
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("no operation " + operationId + " in openapi.json");
  }

  /**
   * The spec's rules (SPEC section 3, the gate): sign-in, health and the maintenance API are open in
   * every phase, and so is retention (SPEC section 7: the maintenance a window is for, run from it;
   * host administrators only); the robot protocol is closed only while Suspended; everything else is closed in
   * maintenance. Every operation of the contract must say so.
   */
  @Test
  void theContractsRulesAreTheSpecs() throws Exception {
    JsonObject paths = contract().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      String lower = path.toLowerCase(java.util.Locale.ROOT);
      Rule expected = lower.startsWith("/identity/") || lower.startsWith("/health/")
          || lower.equals("/api/account") || lower.startsWith("/api/account/") || lower.startsWith("/api/maintenance/")
          || lower.equals("/api/retention") || lower.startsWith("/api/retention/")
          ? Rule.OPEN : lower.startsWith("/api/robot/") ? Rule.ROBOT : Rule.HUMAN;
      for (Map.Entry<String, Object> method : paths.getJsonObject(path)) {
        JsonObject operation = (JsonObject) method.getValue();
        assertEquals(expected.name().toLowerCase(java.util.Locale.ROOT), operation.getString("x-maintenance"),
            method.getKey() + " " + path + " (" + operation.getString("operationId") + ")");
      }
    }
  }

  /**
   * The contract's {@code x-roles}, outside maintenance: every operation of the table called with
   * each role's token is refused with 403 exactly when the contract leaves that role out, and the
   * module behind it agrees (it never refuses a role the contract lets in).
   */
  @Test
  void everyOperationServesTheRolesTheContractNames() throws Exception {
    JsonObject contract = contract();
    Map<String, JsonArray> roles = new LinkedHashMap<>();
    contract.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(method -> {
      JsonObject operation = (JsonObject) method.getValue();
      roles.put(operation.getString("operationId"), operation.getJsonArray("x-roles"));
    }));
    Map<As, String> claims = Map.of(As.HOST, "HostAdministrator", As.TENANT_ADMIN, "Administrator",
        As.OPERATOR, "Operator", As.ROBOT, "Robot");
    for (Map.Entry<String, Call> entry : table().entrySet()) {
      JsonArray allowed = roles.get(entry.getKey());
      if (allowed == null) {
        continue; // outside the contract, or open to everyone
      }
      for (As as : claims.keySet()) {
        Call call = entry.getValue();
        HttpResponse<Buffer> response = send(new Call(call.method(), call.path(), as, call.rule(), call.body()));
        String what = entry.getKey() + " as " + claims.get(as) + " -> " + response.statusCode() + " "
            + response.bodyAsString();
        if (allowed.contains(claims.get(as))) {
          assertNotEquals(403, response.statusCode(), what);
          assertTrue(response.statusCode() < 500, what);
        } else {
          assertEquals(403, response.statusCode(), what);
          assertEquals("FORBIDDEN", response.bodyAsJsonObject().getString("code"), what);
        }
      }
    }
  }

  /** Operations the table does not call, each with the reason. */
  private static final Set<String> EXERCISED_ELSEWHERE = Set.of(
      "maintenanceStart", "maintenanceEnd", // the transitions of this test
      "maintenanceEvents", // an endless stream: MaintenanceApiTest reads it
      "robotEvents"); // the robots' endless stream: RobotChannelTest reads it in every phase

  @Test
  void everyOperationOfTheContractIsInTheTable() throws Exception {
    JsonObject contract = contract();
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
      // the icon every page asks for is there in maintenance too, not a 404 in the browser's console
      HttpResponse<Buffer> icon = api.request(HttpMethod.GET, "/favicon.ico", null).send().await();
      assertEquals(200, icon.statusCode());
      assertEquals("image/x-icon", icon.getHeader("Content-Type"));
      assertEquals(0, icon.body().getShort(0), "an ICO file's header: " + icon.body().length() + " bytes");
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
      case OPERATOR -> operator;
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
