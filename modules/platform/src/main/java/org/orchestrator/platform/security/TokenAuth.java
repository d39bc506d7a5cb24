package org.orchestrator.platform.security;

import io.vertx.core.Vertx;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import java.util.function.Supplier;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;
import org.orchestrator.platform.config.OrchestratorConfig;

/**
 * The one place that decides how tokens are signed and checked: ES256, issuer and audience both the
 * configured issuer, five seconds of clock leeway, only canonical compact tokens with low-S
 * signatures ({@link CanonicalTokens}, checked before the cache of verified tokens,
 * {@link VerifiedTokens}), only tokens with a numeric {@code exp} (checked before the verifier),
 * and, where a node's revocations are given, none of a deleted or disabled principal
 * ({@link RevokedTokens}). Identity signs with it; the HTTP API verifies.
 */
public final class TokenAuth {

  private TokenAuth() {
  }

  /**
   * Verifies as {@link #provider(Vertx, SigningKeys, OrchestratorConfig.Security)} and then refuses
   * the tokens {@code revocations} name (a deleted or disabled principal's).
   */
  public static JWTAuth provider(Vertx vertx, SigningKeys keys, OrchestratorConfig.Security security,
      Supplier<Revocations> revocations) {
    return new RevokedTokens(provider(vertx, keys, security), revocations);
  }

  /** Signs and verifies; revokes nothing (identity signs with it; the bridge serves the host administrator only). */
  public static JWTAuth provider(Vertx vertx, SigningKeys keys, OrchestratorConfig.Security security) {
    JWTAuthOptions options = new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(SigningKeys.ALGORITHM).setBuffer(keys.publicPem()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(SigningKeys.ALGORITHM).setBuffer(keys.privatePem()))
        .setJWTOptions(new JWTOptions()
            .setIssuer(security.issuer())
            .setAudience(List.of(security.issuer()))
            .setLeeway(5));
    JWTAuth verified = CanonicalTokens.verifying(JWTAuth.create(vertx, options));
    // no canonical check in front of the cache: it keeps only texts that passed the one in front of
    // the verifier, so a hit is canonical already and any other spelling misses and meets that check
    // (a cached authentication costs 42 ns instead of 531 ns, docs/benchmarks.md "Issue 35")
    return security.verifiedTokenCache() > 0
        ? new VerifiedTokens(verified, security.verifiedTokenCache(), System::currentTimeMillis)
        : verified;
  }

  /** Options for signing a token that lives {@code ttlSeconds}. */
  public static JWTOptions signing(OrchestratorConfig.Security security, int ttlSeconds) {
    return new JWTOptions()
        .setAlgorithm(SigningKeys.ALGORITHM)
        .setIssuer(security.issuer())
        .setAudience(List.of(security.issuer()))
        .setExpiresInSeconds(ttlSeconds);
  }
}
