package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.app.RawHttp.Reply;
import java.util.concurrent.TimeUnit;
import org.orchestrator.platform.security.SigningKeys;
import org.orchestrator.platform.security.TokenAuth;

/**
 * Replays, request for request, what UiPath's published maintenance scripts send (PowerShell's
 * Invoke-RestMethod): the classic sign-in, Get, Start Draining, Start Suspended with force and
 * killJobs, End; and their 401 -> sign in again -> retry path. Asserts status codes and the exact
 * JSON names those clients read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UiPathClientReplayTest {

  private static final String POWERSHELL = "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4291";
  private static TestNode node;
  private static RawHttp http;
  private static Tenants.Fixture tenant;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("uipath");
    // one connection per request: a stale keep-alive connection is the suspect of a rare stall
    // (a request that got no response, seen twice in ~10 full runs; see the session note)
    http = new RawHttp(node.vertx(), node.port(), POWERSHELL);
    Api api = node.api();
    tenant = Tenants.create(api, api.signInHostAdmin().await(), "Default", 1).await();
  }

  /** A job running on the tenant's robot, for the window to stop and kill. */
  private static void runAJob() {
    Api api = node.api();
    long job = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "Invoices")
        .put("robotId", tenant.robots().get(0).id())).await(), 201).await().getLong("id");
    tenant.robots().get(0).heartbeat().await();
    assertEquals(200, tenant.robots().get(0).report(job, "Running").await().statusCode());
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
    node.close();
  }

  /** One request as Invoke-RestMethod sends it. */
  private static Reply send(HttpMethod method, String uri, String token, String jsonBody) {
    return http.send(method, uri, token, jsonBody);
  }

  private static String authenticate(String path) {
    Reply reply = send(HttpMethod.POST, path, null,
        "{\"tenancyName\":\"host\",\"usernameOrEmailAddress\":\"admin\",\"password\":\"" + TestNode.ADMIN_PASSWORD + "\"}");
    assertEquals(200, reply.status());
    JsonObject body = reply.json();
    assertEquals(Set.of("result", "targetUrl", "success", "error", "unAuthorizedRequest", "__abp"), body.fieldNames());
    assertTrue(body.getBoolean("success"));
    assertNull(body.getValue("targetUrl"));
    assertNull(body.getValue("error"));
    return body.getString("result");
  }

  @Test
  void theMaintenanceScriptSequence() {
    runAJob();
    String token = authenticate("/api/Account/Authenticate");

    Reply get = send(HttpMethod.GET, "/api/Maintenance/Get", token, null);
    assertEquals(200, get.status());
    JsonObject setting = get.json();
    assertTrue(setting.fieldNames().containsAll(List.of("state", "maintenanceLogs", "jobStopsAttempted",
        "jobKillsAttempted", "triggersSkipped", "systemTriggersSkipped")), setting.encode());
    assertEquals("None", setting.getString("state"));
    assertFalse(setting.containsKey("systemSchedulesSkipped"));

    Reply draining = send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining", token, null);
    assertEquals(204, draining.status());
    assertEquals(0, draining.body().length());

    Reply suspended = send(HttpMethod.POST, "/api/Maintenance/Start?phase=Suspended&force=true&killJobs=true", token,
        null);
    assertEquals(204, suspended.status());

    JsonObject during = send(HttpMethod.GET, "/api/Maintenance/Get?tenantId=" + tenant.id(), token, null).json();
    assertEquals("Suspended", during.getString("state"));
    assertEquals(1, during.getInteger("jobStopsAttempted"));
    assertEquals(1, during.getInteger("jobKillsAttempted"));
    assertEquals(0, during.getInteger("triggersSkipped"));
    assertEquals(0, during.getInteger("systemTriggersSkipped"));
    assertEquals(2, during.getJsonArray("maintenanceLogs").size());
    JsonObject log = during.getJsonArray("maintenanceLogs").getJsonObject(0);
    assertEquals(Set.of("state", "timeStamp"), log.fieldNames());
    assertEquals("Draining", log.getString("state"));
    assertTrue(log.getString("timeStamp").endsWith("Z"), "ISO-8601 UTC");
    Instant.parse(log.getString("timeStamp"));

    Reply end = send(HttpMethod.POST, "/api/Maintenance/End", token, null);
    assertEquals(204, end.status());
    assertEquals("None", send(HttpMethod.GET, "/api/Maintenance/Get", token, null).json().getString("state"));
  }

  @Test
  void aRejectedTokenIs401AndSigningInAgainWorks() throws Exception {
    JWTAuth jwt = TokenAuth.provider(node.vertx(),
        SigningKeys.loadOrCreate(node.orchestrator().config().dataDir().resolve("jwt")),
        node.orchestrator().config().security());
    long now = System.currentTimeMillis() / 1000;
    String expired = jwt.generateToken(new JsonObject().put("sub", "1").put("name", "admin")
            .put("role", "HostAdministrator").put("iat", now - 7200).put("exp", now - 3600),
        new JWTOptions().setAlgorithm("ES256").setIssuer("orchestrator").setAudience(List.of("orchestrator"))
            .setNoTimestamp(true));
    Reply rejected = send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining", expired, null);
    assertEquals(401, rejected.status());
    JsonObject error = rejected.json();
    assertTrue(error.getValue("errorCode") instanceof Integer);
    assertEquals("UNAUTHORIZED", error.getString("code"));
    assertFalse(error.getString("message").isBlank());

    String fresh = authenticate("/api/Account");
    assertEquals(204, send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining", fresh, null).status());
    assertEquals(204, send(HttpMethod.POST, "/api/Maintenance/End", fresh, null).status());
  }

  @Test
  void wrongCredentialsAnswerAnEnvelopeTheClientsParse() {
    Reply reply = send(HttpMethod.POST, "/api/Account/Authenticate", null,
        "{\"tenancyName\":\"host\",\"usernameOrEmailAddress\":\"admin\",\"password\":\"wrong\"}");
    assertEquals(401, reply.status());
    JsonObject body = reply.json();
    assertFalse(body.getBoolean("success"));
    assertNull(body.getValue("result"));
    assertEquals("invalid username or password", body.getJsonObject("error").getString("message"));
    assertTrue(body.getBoolean("unAuthorizedRequest"));
    assertEquals("UNAUTHORIZED", body.getString("code"));
    assertEquals(1401, body.getInteger("errorCode"));

    Reply malformed = send(HttpMethod.POST, "/api/Account/Authenticate", null, "{\"tenancyName\":\"host\"}");
    assertEquals(400, malformed.status());
    assertFalse(malformed.json().getBoolean("success"));
    assertEquals("BAD_REQUEST", malformed.json().getString("code"));

    Reply tenantUser = send(HttpMethod.POST, "/api/Account/Authenticate", null,
        "{\"tenancyName\":\"Default\",\"usernameOrEmailAddress\":\"admin\",\"password\":\"admin-password\","
            + "\"rememberClient\":true}");
    assertEquals(200, tenantUser.status());
    assertEquals(403, send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining",
        tenantUser.json().getString("result"), null).status(), "maintenance is the host's");
  }

}
