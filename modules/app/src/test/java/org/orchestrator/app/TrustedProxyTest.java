package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behind a load balancer (here 127.0.0.1, the one trusted proxy) the sign-in throttle and the audit
 * see each client's own address; a client that is not a trusted proxy (127.0.0.2) cannot claim
 * another address with the header.
 */
@Timeout(120)
class TrustedProxyTest {

  private static final String ADMIN = "10.1.1.1";
  private static final String ATTACKER = "10.6.6.6";
  private static TestNode node;
  private static Api proxy;
  private static Api spoofer;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("proxies", new JsonObject().put("http", new JsonObject()
        .put("trustedProxies", new JsonArray().add("127.0.0.1/32"))));
    proxy = node.api();
    spoofer = new Api(node.vertx(), node.port(), 2, "127.0.0.2");
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void anAttackerBehindTheSameProxyDoesNotLockTheAdministratorOut() {
    assertEquals(200, signIn(proxy, ADMIN, TestNode.ADMIN_PASSWORD).statusCode());
    int status = 0;
    for (int i = 0; i < 12 && status != 429; i++) {
      status = signIn(proxy, ATTACKER, "wrong-password").statusCode();
    }
    assertEquals(429, status, "the attacker's own address is throttled");
    assertEquals(429, signIn(proxy, ATTACKER, TestNode.ADMIN_PASSWORD).statusCode(), "even with the password");
    assertEquals(200, signIn(proxy, ADMIN, TestNode.ADMIN_PASSWORD).statusCode(), "the administrator signs in");
  }

  @Test
  void aClientThatIsNoProxyCannotBorrowAnAddress() {
    // the spoofer claims the administrator's address; the throttle keys it by its own
    int status = 0;
    for (int i = 0; i < 12 && status != 429; i++) {
      status = signIn(spoofer, "10.2.2.2", "wrong-password").statusCode();
    }
    assertEquals(429, status);
    assertEquals(200, signIn(proxy, "10.2.2.2", TestNode.ADMIN_PASSWORD).statusCode(),
        "the address it claimed is not locked");
  }

  @Test
  void theAuditRecordsTheForwardedClientAndNotTheProxy() throws Exception {
    String host = proxy.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(proxy, host, "audited", 0).await();
    // through the proxy, with a client that claims an address of its own further left, and a
    // second trusted hop on the right
    createUser(proxy, tenant, "viaproxy", "10.99.0.1, " + ADMIN + ", 127.0.0.1");
    createUser(spoofer, tenant, "spoofed", ADMIN);
    createUser(proxy, tenant, "direct", null);
    JsonArray items = Api.expect(proxy.get("/api/AuditLogs", tenant.adminToken()).await(), 200).await()
        .getJsonArray("items");
    assertEquals(ADMIN, addressOf(items, "viaproxy"));
    assertEquals("127.0.0.2", addressOf(items, "spoofed"));
    assertEquals("127.0.0.1", addressOf(items, "direct"), "a proxy's own request without the header is its own");
  }

  private static void createUser(Api api, Tenants.Fixture tenant, String name, String forwardedFor) {
    var request = api.request(HttpMethod.POST, "/api/Users", tenant.adminToken());
    if (forwardedFor != null) {
      request.putHeader("X-Forwarded-For", forwardedFor);
    }
    HttpResponse<Buffer> created = request.sendJsonObject(new JsonObject().put("username", name)
        .put("password", "password-of-" + name).put("role", "Operator")).await();
    assertEquals(201, created.statusCode(), created.bodyAsString());
  }

  private static String addressOf(JsonArray items, String target) {
    for (Object item : items) {
      JsonObject entry = (JsonObject) item;
      if (target.equals(entry.getString("targetName"))) {
        return entry.getString("actorAddress");
      }
    }
    throw new AssertionError("no audit row for " + target + ": " + items.encode());
  }

  private static HttpResponse<Buffer> signIn(Api api, String forwardedFor, String password) {
    return api.request(HttpMethod.POST, "/identity/connect/token", null)
        .putHeader("X-Forwarded-For", forwardedFor)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "password").add("username", "admin")
            .add("password", password)).await();
  }
}
