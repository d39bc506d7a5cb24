package org.orchestrator.platform.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;
import org.orchestrator.platform.config.OrchestratorConfig;

/**
 * The tokens of deleted and disabled principals are refused, also when their verification is
 * cached; a disable refuses the generations before it only; users and robots are told apart.
 */
class RevokedTokensTest {

  private Vertx vertx;
  private OrchestratorConfig.Security security;
  private SigningKeys keys;
  private final AtomicReference<Revocations> revocations = new AtomicReference<>(Revocations.NONE);

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Path directory = Files.createTempDirectory("revoked-tokens");
    security = new OrchestratorConfig.Security("test", 3600, 1_000, null, directory, 100);
    keys = SigningKeys.loadOrCreate(directory);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  private String token(JWTAuth auth, Caller caller, int generation) {
    return auth.generateToken(TokenClaims.of(caller, generation), TokenAuth.signing(security, 60));
  }

  private boolean accepted(JWTAuth auth, String token) {
    try {
      auth.authenticate(new TokenCredentials(token)).await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void aRevokedPrincipalsTokensAreRefusedEvenOnceVerifiedAndCached() {
    JWTAuth auth = TokenAuth.provider(vertx, keys, security, revocations::get);
    Caller robot = new Caller(7, "r", Role.ROBOT, 1L);
    Caller user = new Caller(7, "u", Role.ADMINISTRATOR, 1L);
    String robotToken = token(auth, robot, 0);
    String userToken = token(auth, user, 0);
    assertEquals(true, accepted(auth, robotToken)); // verified, and now kept by VerifiedTokens
    assertEquals(true, accepted(auth, userToken));

    // robot 7 deleted: its token is refused, user 7 (another table, another principal) is not
    revocations.set(new Revocations(1, Map.of(), Map.of(7L, Revocations.DELETED)));
    assertEquals(false, accepted(auth, robotToken));
    assertEquals(true, accepted(auth, userToken));

    // user 7 disabled (generation 0 -> 1): its old token is refused, a token of generation 1 is not
    revocations.set(new Revocations(2, Map.of(7L, 1), Map.of(7L, Revocations.DELETED)));
    assertEquals(false, accepted(auth, userToken));
    assertEquals(true, accepted(auth, token(auth, user, 1)));
    // a token without a generation claim (signed before generations existed) counts as 0
    String old = auth.generateToken(TokenClaims.of(user), TokenAuth.signing(security, 60));
    assertEquals(false, accepted(auth, old));

    // nothing revoked any more (the revocation is older than any token): accepted again
    revocations.set(new Revocations(3, Map.of(), Map.of()));
    assertEquals(true, accepted(auth, robotToken));
  }

  @Test
  void beforeTheRevocationsAreLoadedEveryTokenIsRefused() {
    revocations.set(null);
    JWTAuth auth = TokenAuth.provider(vertx, keys, security, revocations::get);
    String token = token(auth, new Caller(1, "admin", Role.HOST_ADMINISTRATOR, null), 0);
    assertThrows(Exception.class, () -> auth.authenticate(new TokenCredentials(token)).await(5, TimeUnit.SECONDS));
  }
}
