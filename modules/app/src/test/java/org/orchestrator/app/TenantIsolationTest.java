package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tenant A's administrator can neither see nor change tenant B's users; rights are enforced per
 * role; bad input is a 400 and creates nothing.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TenantIsolationTest {

  private static TestNode node;
  private static Api api;
  private static String host;
  private static long tenantA;
  private static long tenantB;
  private static String adminA;
  private static String operatorA;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("isolation");
    api = node.api();
    host = api.signInHostAdmin().await();
    tenantA = api.createTenant(host, "tenant-a").await();
    tenantB = api.createTenant(host, "tenant-b").await();
    api.createUser(host, tenantA, "alice", "alice-password", "Administrator").await();
    api.createUser(host, tenantA, "otto", "otto-password", "Operator").await();
    api.createUser(host, tenantB, "bob", "bob-password", "Administrator").await();
    adminA = api.signIn("tenant-a", "alice", "alice-password").await();
    operatorA = api.signIn("tenant-a", "otto", "otto-password").await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void tenantAdminSeesOnlyOwnUsers(VertxTestContext ctx) {
    api.get("/api/Users", adminA).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertEquals(200, response.statusCode());
      assertEquals(List.of("alice", "otto"), usernames(response));
      ctx.completeNow();
    })));
  }

  @Test
  void tenantAdminCannotReadOrChangeAnotherTenant(VertxTestContext ctx) {
    Future.all(List.of(
            api.get("/api/Users?tenantId=" + tenantB, adminA),
            api.post("/api/Users", adminA, new JsonObject().put("username", "mallory")
                .put("password", "mallory-password").put("role", "Administrator").put("tenantId", tenantB))))
        .compose(all -> {
          ctx.verify(() -> {
            Expect.error(all.resultAt(0), 403, "FORBIDDEN");
            Expect.error(all.resultAt(1), 403, "FORBIDDEN");
          });
          return api.get("/api/Users?tenantId=" + tenantB, host);
        })
        .onComplete(ctx.succeeding(usersOfB -> ctx.verify(() -> {
          assertEquals(List.of("bob"), usernames(usersOfB));
          ctx.completeNow();
        })));
  }

  @Test
  void rolesAreEnforced(VertxTestContext ctx) {
    Future.all(List.of(
            api.post("/api/Tenants", adminA, new JsonObject().put("name", "sneaky")),
            api.get("/api/Tenants", adminA),
            api.post("/api/Users", operatorA, new JsonObject().put("username", "eve")
                .put("password", "eve-password-1").put("role", "Operator")),
            api.post("/api/Robots", operatorA, new JsonObject().put("name", "robot-of-otto")),
            api.get("/api/Users", null)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          Expect.error(all.resultAt(0), 403, "FORBIDDEN");
          Expect.error(all.resultAt(1), 403, "FORBIDDEN");
          Expect.error(all.resultAt(2), 403, "FORBIDDEN");
          Expect.error(all.resultAt(3), 403, "FORBIDDEN");
          Expect.error(all.resultAt(4), 401, "UNAUTHORIZED");
          ctx.completeNow();
        })));
  }

  @Test
  void tenantAdminCreatesUsersInOwnTenantOnly(VertxTestContext ctx) {
    api.createUser(adminA, null, "carol", "carol-password", "Operator")
        .compose(carol -> {
          ctx.verify(() -> assertEquals(tenantA, carol.getLong("tenantId")));
          return api.signIn("tenant-a", "carol", "carol-password")
              .compose(token -> api.token("tenant-b", "carol", "carol-password"));
        })
        .onComplete(ctx.succeeding(inB -> ctx.verify(() -> {
          Expect.error(inB, 401, "UNAUTHORIZED");
          ctx.completeNow();
        })));
  }

  @Test
  void badInputIsA400AndCreatesNothing(VertxTestContext ctx) {
    JsonObject valid = new JsonObject().put("username", "dave").put("password", "dave-password")
        .put("role", "Operator");
    Future.all(List.of(
            api.post("/api/Users", adminA, valid.copy().put("password", "short")),
            api.post("/api/Users", adminA, valid.copy().put("role", "HostAdministrator")),
            api.post("/api/Users", adminA, valid.copy().put("username", 42)),
            api.post("/api/Users", adminA, valid.copy().put("unexpected", true)),
            api.post("/api/Users", adminA, valid.copy().put("username", "'; DROP TABLE users; --")),
            api.post("/api/Users", adminA, new JsonObject()),
            api.postRaw("/api/Users", adminA, "application/json", Buffer.buffer("{\"username\": ")),
            api.post("/api/Tenants", host, new JsonObject().put("name", "host")),
            api.post("/api/Tenants", host, new JsonObject().put("name", "x".repeat(65))),
            api.get("/api/Users?tenantId=abc", host)))
        .compose(all -> {
          ctx.verify(() -> {
            for (int i = 0; i < all.size(); i++) {
              Expect.error(all.resultAt(i), 400, "BAD_REQUEST");
            }
          });
          return Future.all(api.get("/api/Users", adminA), api.get("/api/Tenants", host));
        })
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          HttpResponse<Buffer> users = after.resultAt(0);
          assertEquals(false, usernames(users).contains("dave"));
          HttpResponse<Buffer> tenants = after.resultAt(1);
          assertEquals(2, tenants.bodyAsJsonObject().getJsonArray("items").size());
          ctx.completeNow();
        })));
  }

  @Test
  void duplicatesAreConflicts(VertxTestContext ctx) {
    Future.all(
            api.post("/api/Tenants", host, new JsonObject().put("name", "TENANT-A")),
            api.post("/api/Users", host, new JsonObject().put("username", "ALICE").put("password", "whatever-1")
                .put("role", "Operator").put("tenantId", tenantA)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          Expect.error(all.resultAt(0), 409, "CONFLICT");
          Expect.error(all.resultAt(1), 409, "CONFLICT");
          ctx.completeNow();
        })));
  }

  private static List<String> usernames(HttpResponse<Buffer> response) {
    JsonArray items = response.bodyAsJsonObject().getJsonArray("items");
    return items.stream().map(item -> ((JsonObject) item).getString("username")).sorted()
        .collect(Collectors.toList());
  }
}
