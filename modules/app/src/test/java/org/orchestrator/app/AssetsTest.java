package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Assets: tenant administrators keep typed values, robots read them by name; a credential's value
 * reaches robots only; bad values are 400 and change nothing; tenants never see each other's.
 */
class AssetsTest {

  private static TestNode node;
  private static Api api;
  private static Tenants.Fixture tenant;
  private static Tenants.Fixture other;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("assets");
    api = node.api();
    String host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "assets", 1).await();
    other = Tenants.create(api, host, "assets-other", 1).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponse<Buffer> create(String name, String type, Object value) {
    return api.post("/api/Assets", tenant.adminToken(), new JsonObject().put("name", name).put("type", type)
        .put("value", value)).await();
  }

  private static HttpResponse<Buffer> robotGet(Tenants.Robot robot, String name) {
    return api.get("/api/robot/assets/" + name, robot.token()).await();
  }

  @Test
  void robotsReadEveryTypeAndPeopleNeverSeeACredential() throws Exception {
    assertEquals(201, create("Orders Url", "Text", "https://erp.example/orders").statusCode());
    assertEquals(201, create("batch.size", "Integer", 9_007_199_254_740_993L).statusCode());
    assertEquals(201, create("dry-run", "Bool", true).statusCode());
    HttpResponse<Buffer> secret = create("Db_Password", "Credential", "s3cret");
    assertEquals(201, secret.statusCode());
    assertFalse(secret.bodyAsJsonObject().containsKey("value"), "the answer to its creator hides it too");

    Tenants.Robot robot = tenant.robots().get(0);
    assertEquals("https://erp.example/orders", robotGet(robot, "orders%20url").bodyAsJsonObject().getString("value"));
    assertEquals(9_007_199_254_740_993L, robotGet(robot, "batch.size").bodyAsJsonObject().getLong("value"));
    assertEquals(true, robotGet(robot, "DRY-RUN").bodyAsJsonObject().getBoolean("value"));
    assertEquals("s3cret", robotGet(robot, "Db_Password").bodyAsJsonObject().getString("value"));

    JsonArray listed = Api.expect(api.get("/api/Assets", tenant.adminToken()).await(), 200).await()
        .getJsonArray("items");
    assertTrue(listed.stream().map(a -> ((JsonObject) a).getString("name")).toList()
        .containsAll(java.util.List.of("batch.size", "Db_Password", "dry-run", "Orders Url")), listed.encode());
    JsonObject credential = listed.stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("name").equals("Db_Password")).findFirst().orElseThrow();
    assertFalse(credential.containsKey("value"), "credential values are never listed: " + credential);
    assertFalse(listed.encode().contains("s3cret"));

    assertEquals(404, robotGet(other.robots().get(0), "Db_Password").statusCode(), "another tenant's robot");
    assertEquals(403, api.get("/api/robot/assets/Db_Password", tenant.adminToken()).await().statusCode());
    assertEquals(403, api.get("/api/Assets", robot.token()).await().statusCode());
    assertTrue(Api.expect(api.get("/api/Assets", other.adminToken()).await(), 200).await()
        .getJsonArray("items").isEmpty(), "tenants never see each other's assets");
  }

  @Test
  void badValuesAreRefusedAndChangeNothing() throws Exception {
    assertEquals(201, create("retries", "Integer", 3).statusCode());
    assertEquals(409, create("RETRIES", "Integer", 4).statusCode(), "names are unique whatever their case");
    assertEquals(400, create("n", "Integer", "3").statusCode());
    assertEquals(400, create("n", "Integer", 1.5).statusCode());
    assertEquals(400, create("b", "Bool", "true").statusCode());
    assertEquals(400, create("t", "Text", "x".repeat(4_097)).statusCode());
    assertEquals(400, create("t", "Text", "a\u0000b").statusCode());
    assertEquals(400, create("t", "Secret", "x").statusCode());
    assertEquals(400, create(" leading-space", "Text", "x").statusCode());
    assertEquals(400, api.post("/api/Assets", tenant.adminToken(), new JsonObject().put("name", "big").put("type",
        "Integer").put("value", new java.math.BigInteger("99999999999999999999"))).await().statusCode());
    long id = Api.expect(create("limit", "Integer", 10), 201).await().getLong("id");
    HttpResponse<Buffer> wrongType = api.request(HttpMethod.PUT, "/api/Assets/" + id, tenant.adminToken())
        .sendJsonObject(new JsonObject().put("value", "ten")).await();
    assertEquals(400, wrongType.statusCode(), "an update keeps the type");
    assertEquals(200, api.request(HttpMethod.PUT, "/api/Assets/" + id, tenant.adminToken())
        .sendJsonObject(new JsonObject().put("value", 11)).await().statusCode());
    assertEquals(11L, robotGet(tenant.robots().get(0), "limit").bodyAsJsonObject().getLong("value"));
    assertEquals(404, api.request(HttpMethod.DELETE, "/api/Assets/" + id, other.adminToken()).send().await()
        .statusCode(), "another tenant cannot delete it");
    assertEquals(204, api.request(HttpMethod.DELETE, "/api/Assets/" + id, tenant.adminToken()).send().await()
        .statusCode());
    assertEquals(404, robotGet(tenant.robots().get(0), "limit").statusCode());
  }
}
