package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP event-bus bridge, spoken from the documented frame format: a host token starts and ends
 * maintenance; no token, a tenant's token, and any address outside the permitted list are refused;
 * a subscriber with a host token receives phase changes.
 */
@Timeout(60)
class BridgeTest {

  private static TestNode node;
  private static String host;
  private static String tenantAdmin;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("bridge");
    Api api = node.api();
    host = api.signInHostAdmin().await();
    tenantAdmin = Tenants.create(api, host, "bridged", 0).await().adminToken();
  }

  @AfterEach
  void none() throws Exception {
    new Maintenance(node.api(), host).get(null).compose(s -> "None".equals(s.getString("state"))
        ? io.vertx.core.Future.succeededFuture() : new Maintenance(node.api(), host).end()).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void aHostTokenStartsAndEndsMaintenance() throws Exception {
    try (BridgeClient client = new BridgeClient(node.bridgePort())) {
      JsonObject started = client.request("maintenance.bridge.start", host,
          new JsonObject().put("phase", "Draining").put("reason", "bridge").put("killAfter", "PT10M"));
      assertEquals("message", started.getString("type"), started.encode());
      assertEquals("reply-1", started.getString("address"));
      assertTrue(started.getJsonObject("body").getBoolean("ok"));
      JsonObject status = client.request("maintenance.bridge.status", host, new JsonObject()).getJsonObject("body");
      assertEquals("Draining", status.getString("state"));
      assertEquals("bridge", status.getString("reason"));
      assertEquals("PT10M", status.getString("killAfter"));
      JsonObject refused = client.request("maintenance.bridge.start", host, new JsonObject().put("phase", "Nowhere"));
      assertEquals("err", refused.getString("type"));
      assertEquals(1400, refused.getInteger("failureCode"));
      JsonObject ended = client.request("maintenance.bridge.end", host, new JsonObject());
      assertTrue(ended.getJsonObject("body").getBoolean("ok"));
    }
    assertEquals("None", new Maintenance(node.api(), host).get(null).await().getString("state"));
  }

  @Test
  void noTokenATenantTokenAndUnknownAddressesAreRefused() throws Exception {
    try (BridgeClient client = new BridgeClient(node.bridgePort())) {
      JsonObject anonymous = client.request("maintenance.bridge.start", null, new JsonObject().put("phase", "Draining"));
      assertEquals("err", anonymous.getString("type"));
      assertEquals(1401, anonymous.getInteger("failureCode"));
      assertTrue(anonymous.getString("message").contains("Authorization"), anonymous.encode());

      JsonObject forged = client.request("maintenance.bridge.start", "not.a.jwt", new JsonObject().put("phase", "Draining"));
      assertEquals(1401, forged.getInteger("failureCode"));

      JsonObject tenant = client.request("maintenance.bridge.start", tenantAdmin, new JsonObject().put("phase", "Draining"));
      assertEquals(1403, tenant.getInteger("failureCode"), tenant.encode());

      for (String address : new String[] {"phase.maintenance.start", "identity.tenant.create", "jobs.maintenance.kill-all",
          "phase.changed", "maintenance.bridge.phase"}) {
        JsonObject outside = client.request(address, host, new JsonObject());
        assertEquals("err", outside.getString("type"), address);
        assertTrue(outside.getString("message").startsWith("access_denied"), outside.encode());
      }
      client.write(new JsonObject().put("type", "register").put("address", "maintenance.bridge.phase"));
      JsonObject unsubscribed = client.read(5_000);
      assertEquals(1401, unsubscribed.getInteger("failureCode"), unsubscribed.encode());
    }
    assertEquals("None", new Maintenance(node.api(), host).get(null).await().getString("state"), "nothing changed");
  }

  @Test
  void aSubscriberWithAHostTokenSeesThePhaseChange() throws Exception {
    try (BridgeClient subscriber = new BridgeClient(node.bridgePort());
         BridgeClient operator = new BridgeClient(node.bridgePort())) {
      subscriber.write(new JsonObject().put("type", "register").put("address", "maintenance.bridge.phase")
          .put("headers", new JsonObject().put("Authorization", "Bearer " + host)));
      assertNull(subscriber.read(300), "registration is silent");
      operator.request("maintenance.bridge.start", host, new JsonObject().put("phase", "Draining"));
      JsonObject event = subscriber.read(5_000);
      assertNotNull(event);
      assertEquals("maintenance.bridge.phase", event.getString("address"));
      assertEquals("Draining", event.getJsonObject("body").getString("state"));
    }
  }
}
