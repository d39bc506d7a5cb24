package org.orchestrator.platform.security;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Role;

/**
 * How a {@link Caller} is written into a token and read back: {@code sub} (principal id),
 * {@code name}, {@code role}, for tenant principals {@code tenant}, and {@code gen}: the
 * principal's token generation when the token was signed (a disable raises it, so the tokens
 * signed before are refused; see {@link RevokedTokens}).
 */
public final class TokenClaims {

  /** The claim that carries the principal's token generation; absent (older tokens) means 0. */
  public static final String GENERATION = "gen";

  private TokenClaims() {
  }

  /** The claims of a token for {@code caller} at its token {@code generation}. */
  public static JsonObject of(Caller caller, int generation) {
    return of(caller).put(GENERATION, generation);
  }

  public static JsonObject of(Caller caller) {
    JsonObject claims = new JsonObject()
        .put("sub", Long.toString(caller.principalId()))
        .put("name", caller.name())
        .put("role", caller.role().claim());
    if (caller.tenantId() != null) {
      claims.put("tenant", caller.tenantId());
    }
    return claims;
  }

  /**
   * The caller a verified token speaks for.
   *
   * @throws IllegalArgumentException when the claims do not describe a caller
   */
  public static Caller caller(JsonObject claims) {
    try {
      long id = Long.parseLong(claims.getString("sub"));
      Role role = Role.ofClaim(claims.getString("role"));
      Number tenant = claims.getNumber("tenant");
      if ((tenant == null) != (role == Role.HOST_ADMINISTRATOR)) {
        throw new IllegalArgumentException("tenant claim does not fit role " + role);
      }
      return new Caller(id, claims.getString("name"), role, tenant == null ? null : tenant.longValue());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("token claims do not describe a caller", e);
    }
  }

  /** The token generation a verified token's claims carry (0 when it has none). */
  public static int generation(JsonObject claims) {
    return claims.getValue(GENERATION) instanceof Number gen ? gen.intValue() : 0;
  }

  /**
   * When a verified token expires, in epoch seconds; null when it carries no {@code exp}.
   * vertx-auth-jwt moves {@code exp} out of the principal into the user's attributes.
   */
  public static Long expiresAtSeconds(User user) {
    return user.attributes().getValue("exp") instanceof Number exp ? exp.longValue() : null;
  }
}
