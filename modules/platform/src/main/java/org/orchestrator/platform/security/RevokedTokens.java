package org.orchestrator.platform.security;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.function.Supplier;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;

/**
 * Refuses the tokens of deleted and disabled principals: after the token verified (or was found
 * among the verified ones, {@link VerifiedTokens}), its principal and generation are looked up in
 * the node's {@link Revocations}, held in memory and kept current by {@link RevocationWatch}. While
 * nobody was revoked within a token's lifetime this is one volatile read; otherwise one hash lookup.
 * No database and no bus on the request's path.
 */
public final class RevokedTokens implements JWTAuth {

  /** What a refused token's authentication fails with (the HTTP edge answers 401). */
  public static final String REFUSAL = "the token was revoked: its user or robot was deleted or disabled";

  private final JWTAuth delegate;
  private final Supplier<Revocations> revocations;

  public RevokedTokens(JWTAuth delegate, Supplier<Revocations> revocations) {
    this.delegate = delegate;
    this.revocations = revocations;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    Revocations now = revocations.get();
    if (now != null && now.isEmpty()) {
      return delegate.authenticate(credentials);
    }
    return delegate.authenticate(credentials).compose(user -> {
      Revocations current = revocations.get();
      if (current == null) {
        return Future.failedFuture("the node has not loaded its revocations yet");
      }
      return refuses(current, user.principal()) ? Future.failedFuture(REFUSAL) : Future.succeededFuture(user);
    });
  }

  /** Whether {@code revocations} refuse the token whose claims are {@code claims}. */
  public static boolean refuses(Revocations revocations, JsonObject claims) {
    if (revocations.isEmpty()) {
      return false;
    }
    Role role;
    long principal;
    try {
      role = Role.ofClaim(claims.getString("role"));
      principal = Long.parseLong(claims.getString("sub"));
    } catch (RuntimeException e) {
      return false; // not a caller at all: Requests.caller refuses it
    }
    return revocations.refuses(role, principal, TokenClaims.generation(claims));
  }

  @Override
  public String generateToken(JsonObject claims, JWTOptions options) {
    return delegate.generateToken(claims, options);
  }

  @Override
  public String generateToken(JsonObject claims) {
    return delegate.generateToken(claims);
  }
}
