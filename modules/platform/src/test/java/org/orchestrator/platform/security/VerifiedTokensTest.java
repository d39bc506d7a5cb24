package org.orchestrator.platform.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.orchestrator.platform.config.OrchestratorConfig;

/** The cache of verified tokens: only verified ones, bounded, never past their exp. */
class VerifiedTokensTest {

  private Vertx vertx;
  private JWTAuth signer;
  private final AtomicInteger verifications = new AtomicInteger();
  private final AtomicLong now = new AtomicLong(System.currentTimeMillis());

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Path keys = Files.createTempDirectory("verified-tokens");
    OrchestratorConfig.Security security = new OrchestratorConfig.Security("test", 3600, 1_000, null, keys, 0);
    signer = TokenAuth.provider(vertx, SigningKeys.loadOrCreate(keys), security);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  private VerifiedTokens cache(int capacity) {
    JWTAuth counting = new JWTAuth() {
      @Override
      public Future<User> authenticate(Credentials credentials) {
        verifications.incrementAndGet();
        return signer.authenticate(credentials);
      }

      @Override
      public String generateToken(JsonObject claims, JWTOptions options) {
        return signer.generateToken(claims, options);
      }

      @Override
      public String generateToken(JsonObject claims) {
        return signer.generateToken(claims);
      }
    };
    return new VerifiedTokens(counting, capacity, now::get);
  }

  private String token(String subject, int ttlSeconds) {
    return signer.generateToken(new JsonObject().put("sub", subject),
        TokenAuth.signing(new OrchestratorConfig.Security("test", ttlSeconds, 1_000, null, null, 0), ttlSeconds));
  }

  private User check(VerifiedTokens tokens, String token) throws Exception {
    return tokens.authenticate(new TokenCredentials(token)).await(5, TimeUnit.SECONDS);
  }

  @Test
  void aTokenIsVerifiedOnceAndServedFromTheCacheUntilItsExp() throws Exception {
    VerifiedTokens tokens = cache(10);
    String token = token("robot-1", 60);
    for (int i = 0; i < 5; i++) {
      assertEquals("robot-1", check(tokens, token).principal().getString("sub"));
    }
    assertEquals(1, verifications.get(), "verified once");
    long exp = TokenClaims.expiresAtSeconds(check(tokens, token));
    now.set(exp * 1000); // the second its exp says: the cache no longer answers
    check(tokens, token); // the verifier decides again (it still grants its leeway)
    assertEquals(2, verifications.get(), "past exp the verifier is asked again");
  }

  @Test
  void aTokenThatFailsIsNeverKept() throws Exception {
    VerifiedTokens tokens = cache(10);
    String token = token("robot-2", 60);
    String forged = token.substring(0, token.lastIndexOf('.') + 1) + "A".repeat(86);
    for (int i = 0; i < 3; i++) {
      assertThrows(Exception.class, () -> check(tokens, forged));
    }
    assertEquals(3, verifications.get());
    assertEquals(0, tokens.size());
  }

  @Test
  void theCacheHoldsAtMostItsCapacity() throws Exception {
    VerifiedTokens tokens = cache(3);
    for (int i = 0; i < 10; i++) {
      check(tokens, token("robot-" + i, 60));
    }
    assertEquals(3, tokens.size());
    assertTrue(verifications.get() >= 10);
  }
}
