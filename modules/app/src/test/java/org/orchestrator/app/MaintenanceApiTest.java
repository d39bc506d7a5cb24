package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The maintenance API's rules: who may call it, bad input, illegal transitions, concurrency, SSE, preview. */
@org.junit.jupiter.api.Timeout(300)
class MaintenanceApiTest {

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Maintenance maintenance;
  private static Tenants.Fixture tenant;
  private static Tenants.Fixture other;
  private static String operator;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("maint-api");
    api = node.api();
    host = api.signInHostAdmin().await();
    maintenance = new Maintenance(api, host);
    tenant = Tenants.create(api, host, "mapi", 1).await();
    other = Tenants.create(api, host, "mapi-other", 0).await();
    api.createUser(tenant.adminToken(), null, "op", "op-password", "Operator").await();
    operator = api.signIn("mapi", "op", "op-password").await();
  }

  @AfterEach
  void backToNone() throws Exception {
    if (!"None".equals(maintenance.get(null).await().getString("state"))) {
      maintenance.end().await();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponse<Buffer> post(String path, String token) throws Exception {
    return api.post(path, token, new JsonObject()).await();
  }

  private static String state() throws Exception {
    return maintenance.get(null).await().getString("state");
  }

  /**
   * Once Start or End has answered, every connection sees the new phase, whichever event loop
   * serves it (the HTTP verticle runs on every one): the change reaches the answering instance
   * before its answer, and the instances share what their watches saw.
   */
  @Test
  void aChangeIsSeenOnEveryConnectionOnceItIsAnswered() throws Exception {
    Api many = new Api(node.vertx(), node.port(), 16);
    for (int round = 0; round < 15; round++) {
      maintenance.start("phase=Draining").await();
      List<Future<HttpResponse<Buffer>>> during = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        during.add(many.get("/api/Jobs", tenant.adminToken()));
      }
      for (Future<HttpResponse<Buffer>> response : during) {
        assertEquals(503, response.await().statusCode(), "round " + round + ": refused once Start answered");
      }
      maintenance.end().await();
      List<Future<HttpResponse<Buffer>>> after = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        after.add(many.get("/api/Jobs", tenant.adminToken()));
      }
      for (Future<HttpResponse<Buffer>> response : after) {
        assertEquals(200, response.await().statusCode(), "round " + round + ": served once End answered");
      }
    }
  }

  @Test
  void onlyTheHostAdministratorStartsAndEnds() throws Exception {
    Expect.error(post("/api/Maintenance/Start?phase=Draining", null), 401, "UNAUTHORIZED");
    Expect.error(post("/api/Maintenance/Start?phase=Draining", tenant.adminToken()), 403, "FORBIDDEN");
    Expect.error(post("/api/Maintenance/Start?phase=Draining", operator), 403, "FORBIDDEN");
    Expect.error(post("/api/Maintenance/Start?phase=Draining", tenant.robots().get(0).token()), 403, "FORBIDDEN");
    assertEquals("None", state());
    maintenance.start("phase=Draining").await();
    Expect.error(post("/api/Maintenance/End", tenant.adminToken()), 403, "FORBIDDEN");
    assertEquals("Draining", state());
  }

  @Test
  void tenantsReadOnlyTheirOwnLog() throws Exception {
    maintenance.start("phase=Draining").await();
    JsonObject own = Api.expect(api.get("/api/Maintenance/Get", tenant.adminToken()).await(), 200).await();
    assertEquals("Draining", own.getString("state"));
    assertEquals(tenant.id(), own.getLong("tenantId"));
    assertEquals(false, own.containsKey("audit"), "the audit is the host's");
    Expect.error(api.get("/api/Maintenance/Get?tenantId=" + other.id(), tenant.adminToken()).await(), 403, "FORBIDDEN");
    Expect.error(api.get("/api/Maintenance/Get", operator).await(), 403, "FORBIDDEN");
    Expect.error(api.get("/api/Maintenance/History?tenantId=" + other.id(), tenant.adminToken()).await(), 403,
        "FORBIDDEN");
    Expect.error(api.get("/api/Maintenance/Get", null).await(), 401, "UNAUTHORIZED");
  }

  @Test
  void badInputAndIllegalTransitionsAre4xxAndChangeNothing() throws Exception {
    for (String query : List.of("phase=Sleeping", "phase=None", "", "phase=Draining&killJobs=maybe",
        "phase=Draining&killAfter=15%20minutes", "phase=Draining&killAfter=-PT5M", "phase=Draining&killAfter=P30D",
        "phase=Draining&reason=" + "x".repeat(501), "phase=Draining&force=yes")) {
      Expect.error(post("/api/Maintenance/Start?" + query, host), 400, "BAD_REQUEST");
      assertEquals("None", state(), query);
    }
    Expect.error(post("/api/Maintenance/End", host), 409, "CONFLICT");
    assertEquals("None", state());
    maintenance.start("phase=Suspended&force=true").await();
    Expect.error(post("/api/Maintenance/Start?phase=Draining", host), 409, "CONFLICT");
    assertEquals("Suspended", state());
    maintenance.start("phase=suspended").await();
    assertEquals("Suspended", state(), "Suspended again changes nothing");
    JsonObject setting = maintenance.get(null).await();
    assertEquals(2, setting.getJsonArray("maintenanceLogs").size(), "Draining, Suspended");
  }

  @Test
  void uiPathClientsSendCapitalisedBooleans() throws Exception {
    maintenance.start("phase=Draining&killJobs=False&force=True").await();
    assertEquals("Draining", state());
  }

  @Test
  void twentyConcurrentStartsAndEndsNeverLeaveAnIllegalState() throws Exception {
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String path = switch (i % 4) {
        case 0 -> "/api/Maintenance/Start?phase=Draining";
        case 1 -> "/api/Maintenance/Start?phase=Suspended&force=true";
        case 2 -> "/api/Maintenance/End";
        default -> "/api/Maintenance/Start?phase=Draining&killJobs=true";
      };
      calls.add(api.post(path, host, new JsonObject()));
    }
    Future.join(calls).await();
    for (Future<HttpResponse<Buffer>> call : calls) {
      int status = call.result().statusCode();
      assertTrue(Set.of(204, 409).contains(status), "only success or a conflict: " + status);
    }
    JsonObject setting = maintenance.get(null).await();
    String previous = "None";
    for (Object entry : setting.getJsonArray("maintenanceLogs")) {
      String next = ((JsonObject) entry).getString("state");
      assertTrue(legal(previous, next), previous + " -> " + next + " in " + setting.getJsonArray("maintenanceLogs"));
      previous = next;
    }
    assertEquals(previous, setting.getString("state"), "the state is the last logged transition");
  }

  private static boolean legal(String from, String to) {
    return switch (from) {
      case "None" -> to.equals("Draining");
      case "Draining" -> to.equals("Suspended") || to.equals("None");
      case "Suspended" -> to.equals("None");
      default -> false;
    };
  }

  @Test
  void theEventStreamSendsThePhaseAtOnceAndOnEveryChange() throws Exception {
    HttpClient client = node.vertx().createHttpClient();
    List<String> received = new CopyOnWriteArrayList<>();
    HttpClientResponse stream = client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(node.port()).setURI("/api/Maintenance/Events").putHeader("Authorization", "Bearer " + host))
        .compose(request -> request.send().onSuccess(response -> response.handler(chunk -> received.add(chunk.toString()))))
        .await();
    assertEquals(200, stream.statusCode());
    assertTrue(stream.getHeader("Content-Type").startsWith("text/event-stream"));
    maintenance.start("phase=Draining&reason=sse").await();
    Eventually.until(node.vertx(), () -> Future.succeededFuture(String.join("", received)),
        text -> text.contains("\"state\":\"Draining\"") && text.contains("event: progress"), 10_000).await();
    String text = String.join("", received);
    assertTrue(text.startsWith("event: phase\ndata: {\"state\":\"None\""), text);
    client.close().await();
    Expect.error(api.get("/api/Maintenance/Events", tenant.adminToken()).await(), 403, "FORBIDDEN");
  }

  @Test
  void previewTellsWhatADrainWouldStopAndSkip() throws Exception {
    Api.expect(api.post("/api/Schedules", tenant.adminToken(), new JsonObject().put("name", "hourly")
        .put("processName", "p").put("cron", "0 * * * *")).await(), 201).await();
    Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")
        .put("robotId", tenant.robots().get(0).id())).await(), 201).await();
    tenant.robots().get(0).heartbeat().await();
    JsonObject preview = Api.expect(api.get("/api/Maintenance/Preview?duration=PT3H", host).await(), 200).await();
    assertEquals(1, preview.getLong("jobsToStop"), preview.encode());
    assertEquals(3, preview.getJsonArray("firesToSkip").size(), preview.encode());
    assertEquals("hourly", preview.getJsonArray("firesToSkip").getJsonObject(0).getString("scheduleName"));
    Expect.error(api.get("/api/Maintenance/Preview?duration=forever", host).await(), 400, "BAD_REQUEST");
    Expect.error(api.get("/api/Maintenance/Preview", tenant.adminToken()).await(), 403, "FORBIDDEN");
    assertEquals("None", state(), "a preview changes nothing");
  }
}
