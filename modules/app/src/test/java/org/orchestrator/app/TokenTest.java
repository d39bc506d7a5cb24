package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.orchestrator.platform.security.SigningKeys;

/** Issuing tokens and refusing every kind of bad one with a JSON 401. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TokenTest {

  private static TestNode node;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("token");
    api = node.api();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  void hostAdminSignsInWithFormOrJson(VertxTestContext ctx) {
    api.token(null, "admin", TestNode.ADMIN_PASSWORD)
        .compose(form -> {
          ctx.verify(() -> {
            assertEquals(200, form.statusCode());
            JsonObject body = form.bodyAsJsonObject();
            assertEquals("Bearer", body.getString("token_type"));
            assertEquals(3600, body.getInteger("expires_in"));
          });
          return api.post("/identity/connect/token", null, new JsonObject().put("grant_type", "password")
              .put("username", "admin").put("password", TestNode.ADMIN_PASSWORD).put("tenant", "host"));
        })
        .compose(json -> {
          ctx.verify(() -> assertEquals(200, json.statusCode(), json.bodyAsString()));
          return api.get("/api/Tenants", json.bodyAsJsonObject().getString("access_token"));
        })
        .onComplete(ctx.succeeding(tenants -> ctx.verify(() -> {
          assertEquals(200, tenants.statusCode());
          ctx.completeNow();
        })));
  }

  @Test
  void wrongPasswordUnknownUserAndUnknownTenantAreRefusedAlike(VertxTestContext ctx) {
    Future.all(List.of(
            api.token(null, "admin", "wrong-password"),
            api.token(null, "nobody", TestNode.ADMIN_PASSWORD),
            api.token("no-such-tenant", "admin", TestNode.ADMIN_PASSWORD)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 3; i++) {
            JsonObject body = Expect.error(all.resultAt(i), 401, "UNAUTHORIZED");
            assertEquals("invalid username or password", body.getString("message"));
          }
          ctx.completeNow();
        })));
  }

  @Test
  void malformedTokenRequestsAreBadRequests(VertxTestContext ctx) {
    Future.all(List.of(
            api.post("/identity/connect/token", null, new JsonObject().put("grant_type", "implicit")),
            api.post("/identity/connect/token", null, new JsonObject().put("grant_type", "password")),
            api.postRaw("/identity/connect/token", null, "application/json",
                io.vertx.core.buffer.Buffer.buffer("{not json")),
            api.postRaw("/identity/connect/token", null, "text/plain",
                io.vertx.core.buffer.Buffer.buffer("grant_type=password"))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 4; i++) {
            Expect.error(all.resultAt(i), 400, "BAD_REQUEST");
          }
          ctx.completeNow();
        })));
  }

  @Test
  void missingTamperedUnsignedForeignAndExpiredTokensAre401(VertxTestContext ctx) throws Exception {
    SigningKeys ownKeys = SigningKeys.loadOrCreate(node.orchestrator().config().dataDir().resolve("jwt"));
    JWTAuth own = org.orchestrator.platform.security.TokenAuth.provider(node.vertx(), ownKeys,
        node.orchestrator().config().security());
    Path otherDir = Files.createTempDirectory("foreign-key");
    JWTAuth foreign = org.orchestrator.platform.security.TokenAuth.provider(node.vertx(),
        SigningKeys.loadOrCreate(otherDir), node.orchestrator().config().security());
    JsonObject adminClaims = new JsonObject().put("sub", "1").put("name", "admin").put("role", "HostAdministrator");
    long now = System.currentTimeMillis() / 1000;
    String expired = own.generateToken(adminClaims.copy().put("iat", now - 7200).put("exp", now - 3600),
        new JWTOptions().setAlgorithm("ES256").setIssuer("orchestrator").setAudience(List.of("orchestrator"))
            .setNoTimestamp(true));
    String forged = foreign.generateToken(adminClaims,
        org.orchestrator.platform.security.TokenAuth.signing(node.orchestrator().config().security(), 600));

    api.signInHostAdmin().compose(valid -> {
      String[] parts = valid.split("\\.");
      String tampered = parts[0] + "." + parts[1] + "." + flipLastChar(parts[2]);
      String unsignedHeader = Base64.getUrlEncoder().withoutPadding()
          .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
      String algNone = unsignedHeader + "." + parts[1] + ".";
      String elevated = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
          new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
              .replace("\"sub\":\"1\"", "\"sub\":\"2\"").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
      ctx.verify(() -> assertNotEquals(valid, tampered));
      return Future.all(List.of(
          api.get("/api/Tenants", null),
          api.get("/api/Tenants", tampered),
          api.get("/api/Tenants", algNone),
          api.get("/api/Tenants", forged),
          api.get("/api/Tenants", expired),
          api.get("/api/Tenants", elevated),
          api.get("/api/Tenants", "not-a-jwt")));
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < all.size(); i++) {
        Expect.error(all.resultAt(i), 401, "UNAUTHORIZED");
      }
      ctx.completeNow();
    })));
  }

  /**
   * Issue 30 item 8: ES256 is malleable, (r, s) and (r, n - s) both verify, so the high-S twin of a
   * real token from this node is refused (one spelling per token), and the node's own tokens are all
   * low-S. Tokens signed with the node's own key but without {@code exp}, or with a string one, are
   * 401 JSON too (the library took the first for ever and answered the second with a 500).
   */
  @Test
  void theHighSTwinOfARealTokenAndTokensWithoutANumericExpAre401() throws Exception {
    java.math.BigInteger n = new java.math.BigInteger(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    for (int i = 0; i < 8; i++) {
      String real = api.signInHostAdmin().await();
      String[] parts = real.split("\\.");
      byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
      java.math.BigInteger s = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(signature, 32, 64));
      org.junit.jupiter.api.Assertions.assertTrue(s.compareTo(n.shiftRight(1)) <= 0, "the node signs low-S: " + real);
      byte[] twinS = n.subtract(s).toByteArray();
      java.util.Arrays.fill(signature, 32, 64, (byte) 0);
      int length = Math.min(twinS.length, 32);
      System.arraycopy(twinS, twinS.length - length, signature, 64 - length, length);
      String twin = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
      assertEquals(200, api.get("/api/Tenants", real).await().statusCode());
      Expect.error(api.get("/api/Tenants", twin).await(), 401, "UNAUTHORIZED");
    }
    SigningKeys ownKeys = SigningKeys.loadOrCreate(node.orchestrator().config().dataDir().resolve("jwt"));
    JWTAuth own = org.orchestrator.platform.security.TokenAuth.provider(node.vertx(), ownKeys,
        node.orchestrator().config().security());
    JsonObject adminClaims = new JsonObject().put("sub", "1").put("name", "admin").put("role", "HostAdministrator");
    JWTOptions noExpiry = new JWTOptions().setAlgorithm("ES256").setIssuer("orchestrator")
        .setAudience(List.of("orchestrator"));
    long later = System.currentTimeMillis() / 1000 + 600;
    String withoutExp = own.generateToken(adminClaims.copy(), noExpiry);
    String stringExp = own.generateToken(adminClaims.copy().put("exp", Long.toString(later)), noExpiry);
    String numericExp = own.generateToken(adminClaims.copy().put("exp", later), noExpiry);
    assertEquals(200, api.get("/api/Tenants", numericExp).await().statusCode(), "the same token with a numeric exp");
    Expect.error(api.get("/api/Tenants", withoutExp).await(), 401, "UNAUTHORIZED");
    Expect.error(api.get("/api/Tenants", stringExp).await(), 401, "UNAUTHORIZED");
  }

  @Test
  void robotsSignInWithClientCredentialsOnly(VertxTestContext ctx) {
    api.signInHostAdmin()
        .compose(host -> api.createTenant(host, "robots-tenant")
            .compose(tenantId -> api.createUser(host, tenantId, "boss", "boss-password", "Administrator")))
        .compose(user -> api.signIn("robots-tenant", "boss", "boss-password"))
        .compose(tenantAdmin -> api.post("/api/Robots", tenantAdmin, new JsonObject().put("name", "r1")))
        .compose(registered -> {
          JsonObject robot = registered.bodyAsJsonObject();
          ctx.verify(() -> assertEquals(201, registered.statusCode(), registered.bodyAsString()));
          String id = robot.getLong("id").toString();
          String secret = robot.getString("secret");
          return Future.all(List.of(
              api.robotToken(id, secret),
              api.robotToken(id, secret + "x"),
              api.robotToken("999999", secret),
              api.token("robots-tenant", id, secret),
              api.token("robots-tenant", "r1", secret)));
        })
        .compose(all -> {
          ctx.verify(() -> {
            assertEquals(200, all.<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>resultAt(0)
                .statusCode());
            Expect.error(all.resultAt(1), 401, "UNAUTHORIZED");
            Expect.error(all.resultAt(2), 401, "UNAUTHORIZED");
            Expect.error(all.resultAt(3), 401, "UNAUTHORIZED");
            Expect.error(all.resultAt(4), 401, "UNAUTHORIZED");
          });
          String robotToken = all.<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>resultAt(0)
              .bodyAsJsonObject().getString("access_token");
          return Future.all(List.of(api.get("/api/Users", robotToken), api.get("/api/Robots", robotToken)));
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          Expect.error(all.resultAt(0), 403, "FORBIDDEN");
          Expect.error(all.resultAt(1), 403, "FORBIDDEN");
          ctx.completeNow();
        })));
  }

  /**
   * What Swagger UI's OAuth2 password flow sends (its Authorize dialog): a form with an empty
   * {@code scope}, a {@code Basic} header for an empty client, and for a tenant user the name
   * written as {@code acme\ops} (tenant, backslash, user name). Refusals carry OAuth2's {@code error}.
   */
  @Test
  void swaggerUisPasswordFlowSignsHostAndTenantUsersIn(VertxTestContext ctx) {
    api.signInHostAdmin()
        .compose(host -> api.createTenant(host, "swagger-tenant")
            .compose(tenantId -> api.createUser(host, tenantId, "ops", "ops-password", "Operator")))
        .compose(user -> Future.all(List.of(
            swaggerSignIn("admin", TestNode.ADMIN_PASSWORD),
            swaggerSignIn("swagger-tenant\\ops", "ops-password"),
            swaggerSignIn("admin", "wrong-password"),
            swaggerSignIn("no-such-tenant\\ops", "ops-password"))))
        .compose(all -> {
          HttpResponse<Buffer> host = all.resultAt(0);
          HttpResponse<Buffer> tenantUser = all.resultAt(1);
          ctx.verify(() -> {
            assertEquals(200, host.statusCode(), host.bodyAsString());
            assertEquals("no-store", host.getHeader("Cache-Control"));
            assertEquals(200, tenantUser.statusCode(), tenantUser.bodyAsString());
            for (int i = 2; i < 4; i++) {
              JsonObject refused = Expect.error(all.resultAt(i), 401, "UNAUTHORIZED");
              assertEquals("invalid_grant", refused.getString("error"));
              assertEquals("invalid username or password", refused.getString("error_description"));
            }
          });
          return Future.all(List.of(
              api.get("/api/Tenants", host.bodyAsJsonObject().getString("access_token")),
              api.get("/api/Jobs", tenantUser.bodyAsJsonObject().getString("access_token"))));
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(0).statusCode());
          assertEquals(200, all.<HttpResponse<Buffer>>resultAt(1).statusCode());
          ctx.completeNow();
        })));
  }

  private static Future<HttpResponse<Buffer>> swaggerSignIn(String username, String password) {
    String form = "grant_type=password&scope=&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8)
        + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return api.request(HttpMethod.POST, "/identity/connect/token", null)
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .putHeader("Accept", "application/json, text/plain, */*")
        .putHeader("X-Requested-With", "XMLHttpRequest")
        .putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(":".getBytes(StandardCharsets.UTF_8)))
        .sendBuffer(Buffer.buffer(form));
  }

  private static String flipLastChar(String text) {
    char last = text.charAt(text.length() - 2);
    char replacement = last == 'A' ? 'B' : 'A';
    return text.substring(0, text.length() - 2) + replacement + text.charAt(text.length() - 1);
  }
}
